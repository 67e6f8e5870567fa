package dev.flywheel.dynamodb;

import dev.flywheel.core.types.sensor.SensorReason;
import dev.flywheel.testing.MotoTables;
import org.junit.jupiter.api.extension.RegisterExtension;
import dev.flywheel.core.crypto.DeviceSigningKey;
import dev.flywheel.core.crypto.SignatureScheme;
import dev.flywheel.core.epoch.EpochClock;
import dev.flywheel.core.proof.ProofCodec;
import dev.flywheel.core.types.sensor.SensorReading;
import dev.flywheel.core.proof.DeviceRecord;
import dev.flywheel.core.proof.DeviceStatus;
import dev.flywheel.core.verify.InboundProof;
import dev.flywheel.core.proof.PlausibilityChecks;
import dev.flywheel.core.proof.PriorProof;
import dev.flywheel.core.verify.ProofVerifier;
import dev.flywheel.core.verify.Verdict;
import dev.flywheel.core.verify.VerificationPolicy;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ledger remembers each device's newest accepted proof per type, on a real moto_server. */
class DynamoPriorProofsIT {
    @RegisterExtension
    static final MotoTables MOTO = new MotoTables();
    private static final EpochClock CLOCK = new EpochClock(Instant.parse("2026-01-01T00:00:00Z"), Duration.ofHours(1));
    private static DynamoDbClient dynamo;
    private static TableNames tables;
    private static DynamoProofLedger ledger;

    @BeforeAll
    static void createTables() {
        dynamo = MOTO.dynamo();
        tables = MOTO.tables();
        ledger = new DynamoProofLedger(dynamo, tables, CLOCK, Duration.ofDays(1));
    }

    @Test
    void keepsTheHighestSequenceWhateverTheArrivalOrder() {
        DeviceSigningKey key = DeviceSigningKey.generate(SignatureScheme.ED25519, new SecureRandom());
        DeviceRecord device = new DeviceRecord("prior-1", SignatureScheme.ED25519, key.publicKey(),
                "0x00000000000000000000000000000000000000aa", DeviceStatus.ACTIVE, null);
        ProofVerifier verifier = new ProofVerifier(id -> Optional.of(device), id -> false, VerificationPolicy.defaults(),
                PlausibilityChecks.defaults());
        Instant now = Instant.parse("2026-03-01T10:00:00Z");

        assertTrue(ledger.priorProofs().last("prior-1", SensorReading.TYPE).isEmpty());
        record(verifier, key, 5, now, 21.5, "d-5");
        record(verifier, key, 3, now.plusSeconds(1), 19.0, "d-3");

        PriorProof prior = ledger.priorProofs().last("prior-1", SensorReading.TYPE).orElseThrow();
        assertEquals(5, prior.sequence(), "a late older proof must not rewind the state");
        assertEquals(new SensorReading("temperature", 21.5, "celsius"), prior.body());
        assertEquals(now, prior.receivedAt());
        assertEquals("8a2a1072b59ffff", prior.h3Cell());
    }

    @Test
    void countsIdenticalBodiesInARowAndResetsOnAChange() {
        DeviceSigningKey key = DeviceSigningKey.generate(SignatureScheme.ED25519, new SecureRandom());
        DeviceRecord device = new DeviceRecord("prior-2", SignatureScheme.ED25519, key.publicKey(),
                "0x00000000000000000000000000000000000000aa", DeviceStatus.ACTIVE, null);
        ProofVerifier verifier = new ProofVerifier(id -> Optional.of(device), id -> false, VerificationPolicy.defaults(),
                PlausibilityChecks.defaults());
        Instant now = Instant.parse("2026-03-01T11:00:00Z");
        record(verifier, key, "prior-2", 1, now, 21.5, "r-1");
        assertEquals(0, ledger.priorProofs().last("prior-2", SensorReading.TYPE).orElseThrow().repeats());
        record(verifier, key, "prior-2", 2, now.plusSeconds(60), 21.5, "r-2");
        record(verifier, key, "prior-2", 3, now.plusSeconds(120), 21.5, "r-3");
        PriorProof third = ledger.priorProofs().last("prior-2", SensorReading.TYPE).orElseThrow();
        assertEquals(3, third.sequence());
        assertEquals(2, third.repeats(), "three identical readings in a row: the last follows two identical ones");
        // a late, older identical proof changes nothing
        record(verifier, key, "prior-2", 0, now.plusSeconds(121), 21.5, "r-0");
        assertEquals(2, ledger.priorProofs().last("prior-2", SensorReading.TYPE).orElseThrow().repeats());
        // another value resets the run
        record(verifier, key, "prior-2", 4, now.plusSeconds(180), 21.6, "r-4");
        PriorProof fourth = ledger.priorProofs().last("prior-2", SensorReading.TYPE).orElseThrow();
        assertEquals(4, fourth.sequence());
        assertEquals(0, fourth.repeats());
        record(verifier, key, "prior-2", 5, now.plusSeconds(240), 21.6, "r-5");
        assertEquals(1, ledger.priorProofs().last("prior-2", SensorReading.TYPE).orElseThrow().repeats());
    }

    @Test
    void theVerifierRejectsTheTwelfthIdenticalReadingInARow() {
        DeviceSigningKey key = DeviceSigningKey.generate(SignatureScheme.ED25519, new SecureRandom());
        DeviceRecord device = new DeviceRecord("prior-3", SignatureScheme.ED25519, key.publicKey(),
                "0x00000000000000000000000000000000000000aa", DeviceStatus.ACTIVE, null);
        ProofVerifier verifier = new ProofVerifier(id -> Optional.of(device), id -> false, VerificationPolicy.defaults(),
                PlausibilityChecks.defaults(), dev.flywheel.core.proof.ProofTypes.builtIn(), ledger.priorProofs());
        Instant now = Instant.parse("2026-03-01T12:00:00Z");
        for (int seq = 1; seq <= 11; seq++) {
            record(verifier, key, "prior-3", seq, now.plusSeconds(60L * seq), 18.25, "s-" + seq);
        }
        assertEquals(10, ledger.priorProofs().last("prior-3", SensorReading.TYPE).orElseThrow().repeats());
        Instant at = now.plusSeconds(60L * 12);
        InboundProof twelfth = new InboundProof("s-12", "prior-3", at, ProofCodec.encode("prior-3", 12, at, "8a2a1072b59ffff",
                new SensorReading("temperature", 18.25, "celsius"), key));
        Verdict verdict = verifier.verify(twelfth);
        assertInstanceOf(Verdict.Rejected.class, verdict);
        assertEquals(SensorReason.STUCK_VALUE, ((Verdict.Rejected) verdict).reason());
        ledger.record(twelfth, verdict);
        assertEquals(11, ledger.priorProofs().last("prior-3", SensorReading.TYPE).orElseThrow().sequence(),
                "a rejected reading is not remembered");
    }

    private static void record(ProofVerifier verifier, DeviceSigningKey key, long seq, Instant at, double value, String deliveryId) {
        record(verifier, key, "prior-1", seq, at, value, deliveryId);
    }

    private static void record(ProofVerifier verifier, DeviceSigningKey key, String deviceId, long seq, Instant at, double value,
                               String deliveryId) {
        byte[] payload = ProofCodec.encode(deviceId, seq, at, "8a2a1072b59ffff",
                new SensorReading("temperature", value, "celsius"), key);
        InboundProof in = new InboundProof(deliveryId, deviceId, at, payload);
        Verdict verdict = verifier.verify(in);
        assertInstanceOf(Verdict.Accepted.class, verdict);
        ledger.record(in, verdict);
    }
}
