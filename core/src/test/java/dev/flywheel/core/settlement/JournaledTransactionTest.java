package dev.flywheel.core.settlement;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JournaledTransactionTest {
    private static final String FROM = "0xF39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
    private static final String HASH = "0x" + "Ab".repeat(32);
    private static final String RAW = "0x02f8aa";

    @Test
    void signedTransactionIsStoredLowerCaseWithoutABlock() {
        JournaledTransaction tx = JournaledTransaction.signed("root-epoch-1", FROM, 7, HASH, RAW);

        assertEquals("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266", tx.from());
        assertEquals("0x" + "ab".repeat(32), tx.txHash());
        assertEquals(JournaledTransaction.Status.SIGNED, tx.status());
        assertNull(tx.blockNumber());
        assertFalse(tx.isFinal());
    }

    @Test
    void finalisedKeepsTheSignedBytesAndRecordsTheOutcome() {
        JournaledTransaction tx = JournaledTransaction.signed("root-epoch-1", FROM, 7, HASH, RAW);

        JournaledTransaction confirmed = tx.finalised(1234, true);
        assertEquals(JournaledTransaction.Status.CONFIRMED, confirmed.status());
        assertEquals(1234L, confirmed.blockNumber());
        assertEquals(tx.signedRawTx(), confirmed.signedRawTx());
        assertEquals(tx.nonce(), confirmed.nonce());
        assertTrue(confirmed.isFinal());
        assertEquals(JournaledTransaction.Status.FAILED, tx.finalised(1234, false).status());
    }

    @Test
    void rejectsMalformedFields() {
        assertThrows(IllegalArgumentException.class, () -> JournaledTransaction.signed(" ", FROM, 0, HASH, RAW));
        assertThrows(IllegalArgumentException.class, () -> JournaledTransaction.signed("i", "0x12", 0, HASH, RAW));
        assertThrows(IllegalArgumentException.class, () -> JournaledTransaction.signed("i", FROM, -1, HASH, RAW));
        assertThrows(IllegalArgumentException.class, () -> JournaledTransaction.signed("i", FROM, 0, "0x12", RAW));
        assertThrows(IllegalArgumentException.class, () -> JournaledTransaction.signed("i", FROM, 0, HASH, "0x123"));
        assertThrows(IllegalArgumentException.class, () -> new JournaledTransaction(
                "i", FROM, 0, HASH, RAW, JournaledTransaction.Status.CONFIRMED, null));
        assertThrows(IllegalArgumentException.class, () -> new JournaledTransaction(
                "i", FROM, 0, HASH, RAW, JournaledTransaction.Status.SIGNED, 5L));
    }
}
