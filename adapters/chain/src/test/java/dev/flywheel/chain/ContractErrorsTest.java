package dev.flywheel.chain;

import org.junit.jupiter.api.Test;
import org.web3j.crypto.Hash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class ContractErrorsTest {

    private static String selector(String signature) {
        return Hash.sha3String(signature).substring(0, 10);
    }

    @Test
    void namesTheDistributorAndTokenErrorsBySelector() {
        assertEquals("InvalidProof", ContractErrors.name(selector("InvalidProof()")));
        assertEquals("NothingToClaim", ContractErrors.name(selector("NothingToClaim(address,uint256,uint256)") + "00".repeat(96)));
        assertEquals("EpochNotIncreasing", ContractErrors.name(selector("EpochNotIncreasing(uint64,uint64)").toUpperCase().replace("0X", "0x")));
        assertEquals("AccessControlUnauthorizedAccount", ContractErrors.name(selector("AccessControlUnauthorizedAccount(address,bytes32)")));
    }

    @Test
    void unknownOrMissingDataHasNoName() {
        assertNull(ContractErrors.name(null));
        assertNull(ContractErrors.name("0x"));
        assertNull(ContractErrors.name("0xdeadbeef"));
    }
}
