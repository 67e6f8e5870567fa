package dev.flywheel.verifier;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReceiptModeTest {
    private static final VerdictReceipt ACCEPTED = new VerdictReceipt("t-1", "ab", 1, true, null, 3);
    private static final VerdictReceipt REJECTED = new VerdictReceipt("t-1", "cd", 2, false, "stale", 3);

    @Test
    void eachModeSendsItsReceipts() {
        assertTrue(ReceiptMode.ALL.wants(ACCEPTED) && ReceiptMode.ALL.wants(REJECTED));
        assertFalse(ReceiptMode.REJECTIONS.wants(ACCEPTED));
        assertTrue(ReceiptMode.REJECTIONS.wants(REJECTED));
        assertFalse(ReceiptMode.NONE.wants(ACCEPTED) || ReceiptMode.NONE.wants(REJECTED));
    }

    @Test
    void parsesTheConfiguredWordAndRefusesOthers() {
        assertEquals(ReceiptMode.REJECTIONS, ReceiptMode.parse(" rejections "));
        assertEquals(ReceiptMode.NONE, ReceiptMode.parse("NONE"));
        assertThrows(IllegalArgumentException.class, () -> ReceiptMode.parse("some"));
    }
}
