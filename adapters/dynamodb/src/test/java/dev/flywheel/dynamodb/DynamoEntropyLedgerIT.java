package dev.flywheel.dynamodb;

import dev.flywheel.testing.MotoTables;
import org.junit.jupiter.api.extension.RegisterExtension;
import dev.flywheel.core.crypto.Encoding;
import dev.flywheel.core.entropy.EntropyBeacon;
import dev.flywheel.core.entropy.EntropyWindow;
import dev.flywheel.core.entropy.NetworkEntropy;
import dev.flywheel.core.proof.ReasonCode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.time.Instant;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** DynamoEntropyLedger on a real moto_server, in the EntropyTable that template.yaml declares. */
class DynamoEntropyLedgerIT {
    @RegisterExtension
    static final MotoTables MOTO = new MotoTables();
    private static final EntropyBeacon BEACON = new EntropyBeacon("flywheel-it", EntropyBeacon.DEFAULT_PERIOD);
    private static DynamoDbClient dynamo;
    private static TableNames tables;
    private static String entropyTable;
    private static DynamoEntropyLedger ledger;

    @BeforeAll
    static void createTables() {
        dynamo = MOTO.dynamo();
        tables = MOTO.tables();
        entropyTable = MOTO.table("entropy");
        ledger = DynamoEntropyLedger.withDefaultRetention(dynamo, entropyTable);
    }

    private static byte[] block(int b) {
        return Encoding.fromHex(String.format("%02x", b).repeat(32));
    }

    @Test
    void onePeriodKeepsItsFirstValue() {
        Instant at = Instant.parse("2026-11-25T12:00:10Z");
        NetworkEntropy first = BEACON.derive(at, block(1), 100);
        NetworkEntropy second = BEACON.derive(at.plusSeconds(20), block(2), 110); // same period, a newer block
        assertNotEquals(first.entropyHex(), second.entropyHex());

        assertEquals(new DynamoEntropyLedger.Recorded(first, true), ledger.record(first));
        assertEquals(new DynamoEntropyLedger.Recorded(first, false), ledger.record(first), "the same value again: a no-op");
        assertEquals(new DynamoEntropyLedger.Recorded(first, false), ledger.record(second), "the period already has a value");

        assertEquals(Optional.of(first), ledger.forPeriod(first.period()));
        assertEquals(Optional.of(first.issuedAt()), ledger.issuedAt(first.entropyHex()));
        assertTrue(ledger.issuedAt(second.entropyHex()).isEmpty(), "the losing value was never published");

        long items = dynamo.scan(b -> b.tableName(entropyTable)).items().stream()
                .filter(i -> i.containsKey("period") && Long.parseLong(i.get("period").n()) == first.period()).count();
        assertEquals(1, items, "exactly one entropy value for the period");
        var stored = dynamo.getItem(g -> g.tableName(entropyTable)
                .key(java.util.Map.of("entropy", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(first.entropyHex())))).item();
        assertEquals(first.issuedAt().plusSeconds(86_400).getEpochSecond(), Long.parseLong(stored.get("expiresAt").n()), "TTL");
    }

    @Test
    void nextPeriodGetsItsOwnValue() {
        Instant at = Instant.parse("2026-11-25T13:00:00Z");
        NetworkEntropy a = BEACON.derive(at, block(3), 1);
        NetworkEntropy b = BEACON.derive(at.plusSeconds(60), block(3), 1);
        assertTrue(ledger.record(a).created());
        assertTrue(ledger.record(b).created());
        assertEquals(Optional.of(b), ledger.forPeriod(a.period() + 1));
    }

    @Test
    void lookupRejectsWhatIsNotEntropy() {
        Instant at = Instant.parse("2026-11-25T14:00:00Z");
        NetworkEntropy e = BEACON.derive(at, block(4), 1);
        ledger.record(e);
        assertTrue(ledger.issuedAt("period#" + e.period()).isEmpty());
        assertTrue(ledger.issuedAt(e.entropyHex().toUpperCase()).isEmpty());
        assertTrue(ledger.issuedAt("00".repeat(32)).isEmpty());
        assertFalse(ledger.forPeriod(e.period() - 1_000).isPresent());
    }

    @Test
    void windowOnTheLedger() {
        Instant at = Instant.parse("2026-11-25T15:00:00Z");
        NetworkEntropy e = BEACON.derive(at, block(5), 1);
        ledger.record(e);
        EntropyWindow window = EntropyWindow.defaults(ledger);
        assertTrue(window.check(e.entropyHex(), e.issuedAt().plusMillis(180_000)).isEmpty());
        assertEquals(ReasonCode.ENTROPY_STALE, window.check(e.entropyHex(), e.issuedAt().plusMillis(180_001)).orElseThrow().reason());
        assertEquals(ReasonCode.ENTROPY_UNKNOWN, window.check("ee".repeat(32), e.issuedAt()).orElseThrow().reason());
    }
}
