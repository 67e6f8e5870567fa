package dev.flywheel.dynamodb;

import dev.flywheel.core.crypto.DeviceSigningKey;
import dev.flywheel.core.crypto.SignatureScheme;
import dev.flywheel.core.epoch.EpochClock;
import dev.flywheel.core.proof.ProofCodec;
import dev.flywheel.core.proof.SensorReading;
import dev.flywheel.core.verify.DeviceRecord;
import dev.flywheel.core.verify.DeviceStatus;
import dev.flywheel.core.verify.InboundProof;
import dev.flywheel.core.verify.PlausibilityChecks;
import dev.flywheel.core.verify.PriorProof;
import dev.flywheel.core.verify.ProofVerifier;
import dev.flywheel.core.verify.Verdict;
import dev.flywheel.core.verify.VerificationPolicy;
import dev.flywheel.testing.MotoDynamo;
import org.junit.jupiter.api.AfterAll;
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
    private static final EpochClock CLOCK = new EpochClock(Instant.parse("2026-01-01T00:00:00Z"), Duration.ofHours(1));
    private static DynamoDbClient dynamo;
    private static TableNames tables;
    private static DynamoProofLedger ledger;

    @BeforeAll
    static void createTables() {
        dynamo = MotoDynamo.client();
        tables = MotoDynamo.createTables(dynamo);
        ledger = new DynamoProofLedger(dynamo, tables, CLOCK, Duration.ofDays(1));
    }

    @AfterAll
    static void dropTables() {
        MotoDynamo.deleteTables(dynamo, tables);
        dynamo.close();
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

    private static void record(ProofVerifier verifier, DeviceSigningKey key, long seq, Instant at, double value, String deliveryId) {
        byte[] payload = ProofCodec.encode("prior-1", seq, at, "8a2a1072b59ffff",
                new SensorReading("temperature", value, "celsius"), key);
        InboundProof in = new InboundProof(deliveryId, "prior-1", at, payload);
        Verdict verdict = verifier.verify(in);
        assertInstanceOf(Verdict.Accepted.class, verdict);
        ledger.record(in, verdict);
    }
}
