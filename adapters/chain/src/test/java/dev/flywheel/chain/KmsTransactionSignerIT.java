package dev.flywheel.chain;

import dev.flywheel.core.merkle.CumulativeMerkleTree;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Keys;
import org.web3j.utils.Numeric;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.flywheel.chain.AnvilChain.GOVERNOR;
import static dev.flywheel.chain.AnvilChain.GUARDIAN;
import static dev.flywheel.chain.AnvilChain.OWNER_A;
import static dev.flywheel.chain.AnvilChain.fly;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A publisher whose key sits behind the KMS interface publishes a root that Anvil mines. The key is a
 * local secp256k1 key (LocalSecp256k1Kms): moto's KMS hashes DIGEST messages again, so it cannot sign here.
 */
class KmsTransactionSignerIT {
    private static AnvilChain anvil;

    @BeforeAll
    static void connect() {
        anvil = new AnvilChain();
    }

    @AfterAll
    static void disconnect() {
        if (anvil != null) {
            anvil.close();
        }
    }

    @Test
    void aRootSignedThroughKmsIsMinedAndSetsTheRoot() throws Exception {
        SecureRandom random = new SecureRandom();
        KmsTransactionSigner signer = new KmsTransactionSigner(new LocalSecp256k1Kms(Keys.createEcKeyPair(random), random));
        anvil.fund(signer.address());
        ChainConfig config = anvil.deploy(new DeploymentPlan(signer.address(), GUARDIAN.getAddress(), List.of(GOVERNOR.getAddress()),
                Duration.ZERO, AnvilChain.genesis(), AnvilChain.EPOCH, AnvilChain.EMISSION, Duration.ZERO));
        CumulativeMerkleTree tree = AnvilChain.tree(anvil.domain(config), Map.of(OWNER_A.getAddress(), fly(3)));

        SettlementReceipt receipt = new RootPublisher(anvil.web3j, config, new InMemoryTransactionJournal(), signer)
                .publish(4, tree.root(), tree.totalCumulative(), Numeric.hexStringToByteArray("0x" + "11".repeat(32)));

        assertEquals(SettlementReceipt.Outcome.PUBLISHED, receipt.outcome());
        var mined = anvil.web3j.ethGetTransactionByHash(receipt.txHash()).send().getTransaction().orElseThrow();
        assertEquals(signer.address(), mined.getFrom().toLowerCase());
        assertEquals("0x2", mined.getType(), "EIP-1559");
        assertArrayEquals(tree.root(), new RewardsClaimer(anvil.web3j, config).currentRoot());
        assertTrue(anvil.confirmedNonce(signer.address()) == 1);
    }
}
