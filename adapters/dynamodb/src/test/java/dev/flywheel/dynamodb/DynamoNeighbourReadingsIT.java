package dev.flywheel.dynamodb;

import dev.flywheel.core.types.sensor.SensorReason;
import dev.flywheel.testing.MotoTables;
import org.junit.jupiter.api.extension.RegisterExtension;
import dev.flywheel.core.crypto.DeviceSigningKey;
import dev.flywheel.core.crypto.SignatureScheme;
import dev.flywheel.core.epoch.EpochClock;
import dev.flywheel.core.proof.ProofCodec;
import dev.flywheel.core.proof.ProofTypes;
import dev.flywheel.core.types.sensor.SensorReading;
import dev.flywheel.core.types.sensor.SensorReadingRule;
import dev.flywheel.core.proof.DeviceRecord;
import dev.flywheel.core.proof.DeviceStatus;
import dev.flywheel.core.verify.InboundProof;
import dev.flywheel.core.proof.PlausibilityChecks;
import dev.flywheel.core.verify.ProofVerifier;
import dev.flywheel.core.verify.Verdict;
import dev.flywheel.core.verify.VerificationPolicy;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Neighbour readings per H3 res-5 cell, written when the ledger records an accepted reading, on a real moto_server. */
class DynamoNeighbourReadingsIT {
    @RegisterExtension
    static final MotoTables MOTO = new MotoTables();
    private static final EpochClock CLOCK = new EpochClock(Instant.parse("2026-01-01T00:00:00Z"), Duration.ofHours(1));
    /** Two res-10 cells in res-5 cell 852a1073fffffff, one in another res-5 cell. */
    private static final String CELL_A = "8a2a1072b59ffff";
    private static final String CELL_B = "8a2a1072b5b7fff";
    private static final String FAR = "8a2830828767fff";
    private static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");

    private static DynamoDbClient dynamo;
    private static TableNames tables;
    private static DynamoProofLedger ledger;
    private static DynamoNeighbourReadings neighbours;
    private static final Map<String, DeviceRecord> DEVICES = new HashMap<>();
    private static final Map<String, DeviceSigningKey> KEYS = new HashMap<>();

    @BeforeAll
    static void createTables() {
        dynamo = MOTO.dynamo();
        tables = MOTO.tables();
        ledger = new DynamoProofLedger(dynamo, tables, CLOCK, Duration.ofDays(1));
        neighbours = new DynamoNeighbourReadings(dynamo, tables);
    }

    @Test
    void theParentsOfTheTestCells() {
        assertEquals(Optional.of("852a1073fffffff"), SensorReadingRule.neighbourCell(CELL_A));
        assertEquals(Optional.of("852a1073fffffff"), SensorReadingRule.neighbourCell(CELL_B));
        assertFalse(SensorReadingRule.neighbourCell(FAR).equals(SensorReadingRule.neighbourCell(CELL_A)));
    }

    @Test
    void keepsTheLatestReadingPerDeviceWithinTheWindow() {
        String parent = SensorReadingRule.neighbourCell(CELL_A).orElseThrow();
        SensorReading t20 = new SensorReading("temperature", 20, "celsius");
        neighbours.record("n-1", CELL_A, t20, NOW.minusSeconds(600), NOW.minusSeconds(600));
        neighbours.record("n-1", CELL_A, new SensorReading("temperature", 21.25, "celsius"), NOW.minusSeconds(60), NOW);
        // an older reading arriving late does not replace the newer one
        neighbours.record("n-1", CELL_A, new SensorReading("temperature", 5, "celsius"), NOW.minusSeconds(300), NOW);
        neighbours.record("n-2", CELL_B, new SensorReading("temperature", 0.0001, "celsius"), NOW.minusSeconds(30), NOW);
        // too old for the window
        neighbours.record("n-3", CELL_B, t20, NOW.minus(Duration.ofHours(1)).minusMillis(1), NOW);
        // another cell, another metric, no usable location: not neighbours
        neighbours.record("n-4", FAR, t20, NOW, NOW);
        neighbours.record("n-5", CELL_A, new SensorReading("humidity", 20, "percent"), NOW, NOW);
        neighbours.record("n-6", null, t20, NOW, NOW);
        neighbours.record("n-7", "832a10fffffffff", t20, NOW, NOW);

        Instant since = NOW.minus(Duration.ofHours(1));
        assertEquals(List.of(21.25, 0.0001), neighbours.recent("temperature", parent, since, "someone-else"));
        assertEquals(List.of(0.0001), neighbours.recent("temperature", parent, since, "n-1"));
        // exactly at the window start counts
        assertEquals(List.of(21.25, 0.0001, 20.0), neighbours.recent("temperature", parent, since.minusMillis(1), "x"));
        assertEquals(List.of(20.0), neighbours.recent("humidity", parent, since, "x"));
        assertTrue(neighbours.recent("pm25", parent, since, "x").isEmpty());
    }

    @Test
    void theVerifierComparesWithTheNeighboursTheLedgerRemembered() {
        ProofVerifier verifier = new ProofVerifier(id -> Optional.ofNullable(DEVICES.get(id)), id -> false,
                VerificationPolicy.defaults(),
                new PlausibilityChecks(List.of(SensorReadingRule.defaults().withNeighbours(neighbours))),
                ProofTypes.builtIn(), ledger.priorProofs());
        Instant at = NOW.plus(Duration.ofDays(1));
        // pressure: tolerance 15 hpa; three neighbours at 1000, 1004, 1010 (median 1004)
        assertInstanceOf(Verdict.Accepted.class, send(verifier, "p-1", CELL_A, 1, at, 1000));
        assertInstanceOf(Verdict.Accepted.class, send(verifier, "p-2", CELL_B, 1, at.plusSeconds(1), 1004));
        // only two neighbours so far: no agreement check yet
        assertInstanceOf(Verdict.Accepted.class, send(verifier, "p-3", CELL_A, 1, at.plusSeconds(2), 1010));
        // a device elsewhere is no neighbour: judged alone
        assertInstanceOf(Verdict.Accepted.class, send(verifier, "p-far", FAR, 1, at.plusSeconds(3), 1080));

        assertInstanceOf(Verdict.Accepted.class, send(verifier, "p-4", CELL_B, 1, at.plusSeconds(4), 1019));
        Verdict off = send(verifier, "p-5", CELL_A, 1, at.plusSeconds(5), 1023.5);   // median now 1007 (1000, 1004, 1010, 1019)
        Verdict.Rejected rejected = assertInstanceOf(Verdict.Rejected.class, off);
        assertEquals(SensorReason.NEIGHBOUR_DISAGREEMENT, rejected.reason());
        assertEquals(4, rejected.evidence().get("neighbours"));
        assertEquals(1007.0, rejected.evidence().get("median"));
        // the rejected reading is not a neighbour value
        assertEquals(4, neighbours.recent("pressure", "852a1073fffffff", at.minusSeconds(1), "x").size());
    }

    private static Verdict send(ProofVerifier verifier, String deviceId, String cell, long seq, Instant at, double hpa) {
        DeviceSigningKey key = KEYS.computeIfAbsent(deviceId, id -> DeviceSigningKey.generate(SignatureScheme.ED25519, new SecureRandom()));
        DEVICES.computeIfAbsent(deviceId, id -> new DeviceRecord(id, SignatureScheme.ED25519, key.publicKey(),
                "0x00000000000000000000000000000000000000aa", DeviceStatus.ACTIVE, cell));
        byte[] payload = ProofCodec.encode(deviceId, seq, at, cell, new SensorReading("pressure", hpa, "hpa"), key);
        InboundProof in = new InboundProof("d-" + deviceId + "-" + seq, deviceId, at, payload);
        Verdict verdict = verifier.verify(in);
        ledger.record(in, verdict);
        return verdict;
    }
}
