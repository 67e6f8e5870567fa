package dev.flywheel.dynamodb;

import dev.flywheel.testing.MotoTables;
import org.junit.jupiter.api.extension.RegisterExtension;
import dev.flywheel.core.settlement.JournaledTransaction;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** DynamoTransactionJournal on a real moto_server: the conditional create that makes settlement exactly-once. */
class DynamoTransactionJournalIT {
    @RegisterExtension
    static final MotoTables MOTO = new MotoTables();
    private static final String FROM = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

    private static DynamoDbClient dynamo;
    private static TableNames tables;
    private static DynamoTransactionJournal journal;

    @BeforeAll
    static void createTables() {
        dynamo = MOTO.dynamo();
        tables = MOTO.tables();
        journal = new DynamoTransactionJournal(dynamo, tables.settlements());
    }

    private static String intent() {
        return "root-epoch-" + UUID.randomUUID();
    }

    private static JournaledTransaction signed(String intent, long nonce, int salt) {
        String hash = String.format("0x%064X", 0xBEEF00L + salt);
        String raw = String.format("0x02F8%060x", 0x1234L + salt);
        return JournaledTransaction.signed(intent, FROM, nonce, hash, raw);
    }

    @Test
    void recordIsAConditionalCreateAndFindRoundTrips() {
        String intent = intent();
        assertEquals(Optional.empty(), journal.find(intent));
        JournaledTransaction first = signed(intent, 7, 1);
        assertTrue(journal.record(first));
        assertEquals(Optional.of(first), journal.find(intent));
        // Stored lower case, as the record normalises it.
        assertEquals(FROM.toLowerCase(), journal.find(intent).orElseThrow().from());

        // A second writer for the same intent (a retry that signed again) loses and must use the first one.
        JournaledTransaction second = signed(intent, 8, 2);
        assertFalse(journal.record(second));
        assertFalse(journal.record(first));
        assertEquals(Optional.of(first), journal.find(intent));
    }

    @Test
    void aFinalTransactionRoundTripsWithItsBlock() {
        String intent = intent();
        JournaledTransaction done = signed(intent, 0, 3).finalised(1234, true);
        assertTrue(journal.record(done));
        assertEquals(Optional.of(done), journal.find(intent));
    }

    @Test
    void markConfirmedIsIdempotentForTheSameOutcome() {
        String intent = intent();
        JournaledTransaction tx = signed(intent, 3, 4);
        assertTrue(journal.record(tx));
        journal.markConfirmed(intent, 99, true);
        assertEquals(Optional.of(tx.finalised(99, true)), journal.find(intent));
        journal.markConfirmed(intent, 99, true);
        assertEquals(Optional.of(tx.finalised(99, true)), journal.find(intent));

        IllegalStateException conflict = assertThrows(IllegalStateException.class, () -> journal.markConfirmed(intent, 99, false));
        assertTrue(conflict.getMessage().contains(intent), conflict.getMessage());
        assertEquals(Optional.of(tx.finalised(99, true)), journal.find(intent), "a conflicting outcome changes nothing");
    }

    @Test
    void aRevertedTransactionIsFailedAndCannotBecomeConfirmed() {
        String intent = intent();
        JournaledTransaction tx = signed(intent, 5, 5);
        assertTrue(journal.record(tx));
        journal.markConfirmed(intent, 17, false);
        assertEquals(JournaledTransaction.Status.FAILED, journal.find(intent).orElseThrow().status());
        journal.markConfirmed(intent, 17, false);
        assertThrows(IllegalStateException.class, () -> journal.markConfirmed(intent, 17, true));
        assertEquals(Optional.of(tx.finalised(17, false)), journal.find(intent));
    }

    @Test
    void markConfirmedOfAnUnknownIntentThrowsNoSuchElement() {
        String intent = intent();
        NoSuchElementException e = assertThrows(NoSuchElementException.class, () -> journal.markConfirmed(intent, 1, true));
        assertTrue(e.getMessage().contains(intent), e.getMessage());
        assertEquals(Optional.empty(), journal.find(intent), "markConfirmed must not create an item");
    }
}
