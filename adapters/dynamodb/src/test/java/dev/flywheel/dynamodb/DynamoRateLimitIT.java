package dev.flywheel.dynamodb;

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
import dev.flywheel.core.verify.ProofVerifier;
import dev.flywheel.core.verify.RateLimit;
import dev.flywheel.core.proof.ReasonCode;
import dev.flywheel.core.verify.Verdict;
import dev.flywheel.core.verify.VerdictLedger;
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

/** The per-device rate limit counts accepted proofs atomically with their credit, on a real moto_server. */
class DynamoRateLimitIT {
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
        ledger = new DynamoProofLedger(dynamo, tables, CLOCK, Duration.ofDays(1), new RateLimit(2, Duration.ofMinutes(1)));
    }

    @Test
    void theThirdAcceptedProofInAWindowIsRejectedAndTheNextWindowOpensAgain() {
        DeviceSigningKey key = DeviceSigningKey.generate(SignatureScheme.ED25519, new SecureRandom());
        DeviceRecord device = new DeviceRecord("rate-1", SignatureScheme.ED25519, key.publicKey(),
                "0x00000000000000000000000000000000000000bb", DeviceStatus.ACTIVE, null);
        ProofVerifier verifier = new ProofVerifier(id -> Optional.of(device), id -> false, VerificationPolicy.defaults(),
                PlausibilityChecks.defaults());
        Instant window = Instant.parse("2026-03-01T10:00:00Z");

        assertInstanceOf(Verdict.Accepted.class, record(verifier, key, 1, window.plusSeconds(1)).stored());
        VerdictLedger.Recorded second = record(verifier, key, 2, window.plusSeconds(2));
        assertInstanceOf(Verdict.Accepted.class, second.stored());
        // A redelivery of an already counted proof changes nothing, so it must not use up the window.
        assertEquals(VerdictLedger.Outcome.ALREADY_RECORDED,
                ledger.record(delivery(key, 2, window.plusSeconds(2)), verifier.verify(delivery(key, 2, window.plusSeconds(2)))).outcome());

        Verdict.Rejected third = assertInstanceOf(Verdict.Rejected.class, record(verifier, key, 3, window.plusSeconds(59)).stored());
        assertEquals(ReasonCode.RATE_LIMITED, third.reason());
        assertEquals(2, third.evidence().get("limit"));
        assertEquals(2, ledger.credits(CLOCK.epochOf(window)).stream().filter(c -> c.deviceId().equals("rate-1"))
                .mapToLong(c -> c.units()).sum(), "two credits, not three");

        assertInstanceOf(Verdict.Accepted.class, record(verifier, key, 4, window.plusSeconds(60)).stored());
    }

    private static InboundProof delivery(DeviceSigningKey key, long seq, Instant at) {
        byte[] payload = ProofCodec.encode("rate-1", seq, at, null, new SensorReading("humidity", 40, "percent"), key);
        return new InboundProof("rate-d-" + seq, "rate-1", at, payload);
    }

    private static VerdictLedger.Recorded record(ProofVerifier verifier, DeviceSigningKey key, long seq, Instant at) {
        InboundProof in = delivery(key, seq, at);
        return ledger.record(in, verifier.verify(in));
    }
}
