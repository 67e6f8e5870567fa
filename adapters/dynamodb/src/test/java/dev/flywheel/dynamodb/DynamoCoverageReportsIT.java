package dev.flywheel.dynamodb;

import dev.flywheel.testing.MotoTables;
import org.junit.jupiter.api.extension.RegisterExtension;
import dev.flywheel.core.crypto.SignatureScheme;
import dev.flywheel.core.epoch.EpochClock;
import dev.flywheel.core.types.coverage.CoverageBeacon;
import dev.flywheel.core.types.coverage.CoverageWitness;
import dev.flywheel.core.reward.WorkCredit;
import dev.flywheel.core.types.coverage.AntennaGains;
import dev.flywheel.core.types.coverage.BeaconPayload;
import dev.flywheel.core.types.coverage.BeaconReport;
import dev.flywheel.core.types.coverage.CoverageConfig;
import dev.flywheel.core.types.coverage.CoverageDenylist;
import dev.flywheel.core.types.coverage.CoverageGeo;
import dev.flywheel.core.types.coverage.CoverageResult;
import dev.flywheel.core.types.coverage.CoverageWindow;
import dev.flywheel.core.types.coverage.CoverageWindowEvaluator;
import dev.flywheel.core.types.coverage.Hip15;
import dev.flywheel.core.types.coverage.RegionResolver;
import dev.flywheel.core.types.coverage.WitnessReport;
import dev.flywheel.core.proof.DeviceRecord;
import dev.flywheel.core.proof.DeviceStatus;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Coverage reports, window evaluation and coverage credits on a real moto_server: exactly once, whatever is repeated. */
class DynamoCoverageReportsIT {
    @RegisterExtension
    static final MotoTables MOTO = new MotoTables();
    private static final EpochClock CLOCK = new EpochClock(Instant.parse("2026-01-01T00:00:00Z"), Duration.ofHours(1));
    private static final String ENTROPY = "7f0c1e9a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6";
    private static final long FREQ = 904_100_000L;
    private static final String OWNER = "0x00000000000000000000000000000000000000c0";
    private static DynamoDbClient dynamo;
    private static TableNames tables;
    private static DynamoProofLedger ledger;
    private static DynamoCoverageReports reports;
    private static DynamoEpochLedger epochs;

    @BeforeAll
    static void createTables() {
        dynamo = MOTO.dynamo();
        tables = MOTO.tables();
        ledger = new DynamoProofLedger(dynamo, tables, CLOCK, Duration.ofDays(1));
        reports = ledger.coverage();
        epochs = new DynamoEpochLedger(dynamo, tables, ledger);
    }

    private static CoverageWindowEvaluator evaluator(Instant entropyAt) {
        var window = new CoverageWindow(CoverageConfig.defaults(), e -> ENTROPY.equals(e) ? Optional.of(entropyAt) : Optional.empty(),
                RegionResolver.single("US915"), reports.history(), CoverageDenylist.NONE, AntennaGains.ZERO);
        return new CoverageWindowEvaluator(window, reports);
    }

    private static DeviceRecord device(String id, double lat, double lng) {
        return new DeviceRecord(id, SignatureScheme.ED25519, new byte[32], OWNER, DeviceStatus.ACTIVE,
                CoverageGeo.cellAt(lat, lng, 12));
    }

    private static BeaconReport beacon(String beaconer, Instant rx) {
        byte[] payload = BeaconPayload.derive(ENTROPY, beaconer);
        var body = new CoverageBeacon(ENTROPY, FREQ, "sf7bw125", 270, BeaconPayload.deriveBase64Url(ENTROPY, beaconer),
                BeaconPayload.beaconId(payload));
        return new BeaconReport("b-" + beaconer, device(beaconer, 37.7749, -122.4194), body, rx);
    }

    private static WitnessReport witness(BeaconReport b, String id, double dLat, int rssi, Instant rx) {
        var body = new CoverageWitness(b.deviceId(), b.beacon().id(), b.beacon().payload(), rssi, 55, FREQ, 0);
        return new WitnessReport("w-" + id, device(id, 37.7749 + dLat, -122.4194), body, rx);
    }

    private static void seedHistory(Instant at, String... devices) {
        for (String d : devices) {
            reports.history().record(d, CoverageResult.Role.BEACONED, at);
            reports.history().record(d, CoverageResult.Role.WITNESSED, at);
        }
    }

    private static Map<String, Long> coverageCredits(long epoch, String prefix) {
        return ledger.credits(epoch).stream().filter(c -> c.deviceId().startsWith(prefix))
                .collect(Collectors.groupingBy(WorkCredit::deviceId, Collectors.summingLong(WorkCredit::units)));
    }

    /** The {@code pool} of every coverage credit item {@code P#<device> / C#...} of the device. */
    private static List<String> creditPools(String device) {
        return dynamo.query(q -> q.tableName(tables.ledger()).consistentRead(true)
                        .keyConditionExpression("pk = :pk AND begins_with(sk, :c)")
                        .expressionAttributeValues(Map.of(":pk", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("P#" + device),
                                ":c", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("C#"))))
                .items().stream().map(i -> i.get("pool").s()).toList();
    }

    @Test
    void aClosedWindowIsEvaluatedAndCreditedOnceWhateverIsRepeated() {
        Instant rx = Instant.parse("2026-03-01T10:00:10Z");
        long epoch = CLOCK.epochOf(rx);
        seedHistory(rx.minus(Duration.ofHours(1)), "ev-bcn", "ev-w1", "ev-w2", "ev-spoof", "ev-close");
        BeaconReport b = beacon("ev-bcn", rx);
        WitnessReport w1 = witness(b, "ev-w1", 0.03, -1200, rx.plusMillis(300));       // ~3.3 km, honest
        WitnessReport w2 = witness(b, "ev-w2", -0.03, -1150, rx.minusMillis(200));     // before the beacon: fine
        WitnessReport spoof = witness(b, "ev-spoof", 0.027, -300, rx.plusMillis(400)); // -30 dBm at 3 km
        WitnessReport close = witness(b, "ev-close", 0.0002, -900, rx.plusMillis(500)); // ~22 m
        reports.storeWitness(w2);
        reports.storeBeacon(b);
        reports.storeWitness(w1);
        reports.storeWitness(spoof);
        reports.storeWitness(close);

        var evaluator = evaluator(rx.minusSeconds(10));
        assertEquals(0, evaluator.evaluateDue(rx.plusSeconds(63), 100).windows(), "window still open");
        CoverageWindowEvaluator.Summary first = evaluator.evaluateDue(rx.plusSeconds(65), 100);
        assertEquals(1, first.windows());
        assertEquals(Hip15.beaconerMicros(2) + 2 * Hip15.witnessMicros(2), first.units());

        assertEquals(Map.of("ev-bcn", 500_000L, "ev-w1", 1_000_000L, "ev-w2", 1_000_000L), coverageCredits(epoch, "ev-"));
        // The beaconer's units and the witnesses' go to separate sources, so config/network.json can pool them apart.
        assertEquals(List.of("coverage.beacon"), creditPools("ev-bcn"));
        assertEquals(List.of("coverage.witness"), creditPools("ev-w1"));
        assertEquals(List.of("coverage.witness"), creditPools("ev-w2"));
        assertEquals("rssi_too_strong", reports.outcomesForDevice("ev-spoof").get(0).reason());
        assertEquals("witness_too_close", reports.outcomesForDevice("ev-close").get(0).reason());
        var honest = reports.outcomesForDevice("ev-w1");
        assertEquals(1, honest.size());
        assertTrue(honest.get(0).valid());
        assertNull(honest.get(0).reason());
        assertEquals("beacon", reports.outcomesForDevice("ev-bcn").get(0).role());
        assertEquals(rx.plusMillis(300), reports.history().lastWitnessed("ev-w1").orElseThrow());
        assertEquals(rx, reports.history().lastBeaconed("ev-bcn").orElseThrow());

        // Redelivered reports, a second run, a later run past the orphan horizon, a repeated commit: nothing changes.
        reports.storeBeacon(b);
        reports.storeWitness(w1);
        assertEquals(0, evaluator.evaluateDue(rx.plusSeconds(70), 100).windows());
        CoverageWindowEvaluator.Summary late = evaluator.evaluateDue(rx.plusSeconds(600), 100);
        assertEquals(0, late.windows());
        assertEquals(0, late.lateOrOrphanWitnesses(), "every witness was judged by its window");
        CoverageResult again = new CoverageWindow(CoverageConfig.defaults(), e -> Optional.of(rx.minusSeconds(10)),
                RegionResolver.single("US915"), reports.history(), CoverageDenylist.NONE, AntennaGains.ZERO)
                .evaluate(b, List.of(w1, w2, spoof, close));
        assertFalse(reports.commit(b, List.of(w1, w2, spoof, close), again), "a window is committed once");
        assertEquals(Map.of("ev-bcn", 500_000L, "ev-w1", 1_000_000L, "ev-w2", 1_000_000L), coverageCredits(epoch, "ev-"));
        // The beaconer's units and the witnesses' go to separate sources, so config/network.json can pool them apart.
        assertEquals(List.of("coverage.beacon"), creditPools("ev-bcn"));
        assertEquals(List.of("coverage.witness"), creditPools("ev-w1"));
        assertEquals(List.of("coverage.witness"), creditPools("ev-w2"));
        assertEquals(1, reports.outcomesForDevice("ev-w1").size());
        assertTrue(ledger.credits(epoch).stream().anyMatch(c -> c.deviceId().equals("ev-w1")));
    }

    @Test
    void orphansAndLateWitnessesGetAnOutcomeOnce() {
        Instant rx = Instant.parse("2026-03-01T11:00:10Z");
        seedHistory(rx.minus(Duration.ofHours(1)), "or-bcn", "or-w1", "or-late", "or-orphan");
        BeaconReport b = beacon("or-bcn", rx);
        reports.storeBeacon(b);
        reports.storeWitness(witness(b, "or-w1", 0.03, -1200, rx.plusMillis(100)));
        BeaconReport missing = beacon("or-nobeacon", rx);
        WitnessReport orphan = witness(missing, "or-orphan", 0.03, -1200, rx.plusMillis(50));
        reports.storeWitness(orphan);

        var evaluator = evaluator(rx.minusSeconds(10));
        assertEquals(1, evaluator.evaluateDue(rx.plusSeconds(65), 100).windows());
        WitnessReport late = witness(b, "or-late", -0.03, -1200, rx.plusSeconds(66)); // stored after the window
        reports.storeWitness(late);

        assertEquals(0, evaluator.evaluateDue(rx.plusSeconds(200), 100).lateOrOrphanWitnesses(), "not yet past orphanAfter");
        assertEquals(1, evaluator.evaluateDue(rx.plusSeconds(245), 100).lateOrOrphanWitnesses());
        assertEquals("beacon_not_found", reports.outcomesForDevice("or-orphan").get(0).reason());
        assertEquals(1, evaluator.evaluateDue(rx.plusSeconds(320), 100).lateOrOrphanWitnesses());
        assertEquals("witness_too_late", reports.outcomesForDevice("or-late").get(0).reason());
        assertEquals(0, evaluator.evaluateDue(rx.plusSeconds(900), 100).lateOrOrphanWitnesses());
        assertEquals(1, reports.outcomesForDevice("or-orphan").size());
        assertEquals(1, reports.outcomesForDevice("or-late").size());
        assertEquals(Map.of("or-bcn", 250_000L, "or-w1", 1_000_000L), coverageCredits(CLOCK.epochOf(rx), "or-"));
    }

    @Test
    void creditsOfAWindowWhoseEpochIsClosingGoToTheNextOpenEpoch() {
        Instant rx = Instant.parse("2026-03-01T12:59:50Z");
        long epoch = CLOCK.epochOf(rx);
        seedHistory(rx.minus(Duration.ofHours(1)), "cl-bcn", "cl-w1");
        BeaconReport b = beacon("cl-bcn", rx);
        reports.storeBeacon(b);
        reports.storeWitness(witness(b, "cl-w1", 0.03, -1200, rx.plusMillis(100)));
        assertTrue(epochs.beginClosing(epoch));

        assertEquals(1, evaluator(rx.minusSeconds(10)).evaluateDue(rx.plusSeconds(65), 100).windows());
        assertEquals(Map.of(), coverageCredits(epoch, "cl-"));
        assertEquals(Map.of("cl-bcn", 250_000L, "cl-w1", 1_000_000L), coverageCredits(epoch + 1, "cl-"));
    }
}
