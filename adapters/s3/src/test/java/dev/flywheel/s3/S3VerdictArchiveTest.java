package dev.flywheel.s3;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flywheel.core.crypto.DeviceSigningKey;
import dev.flywheel.core.crypto.SignatureScheme;
import dev.flywheel.core.proof.DeviceRecord;
import dev.flywheel.core.proof.DeviceStatus;
import dev.flywheel.core.proof.ProofCodec;
import dev.flywheel.core.proof.ReasonCode;
import dev.flywheel.core.types.sensor.SensorReading;
import dev.flywheel.core.verify.InboundProof;
import dev.flywheel.core.verify.Verdict;
import dev.flywheel.core.verify.VerdictLedger;
import dev.flywheel.core.verify.VerificationService;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The paper trail's object body on a batch like the verifier's: 100 signed sensor proofs from 100 devices, one in
 * a hundred rejected. The gzip body holds exactly the lines, and prints what a verdict costs in S3 (docs/cost.md's
 * {@code verdictBytes}). The S3 write itself is covered on moto by the verifier's PaperTrailIT.
 */
class S3VerdictArchiveTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aBatchIsStoredAsItsLinesGzipped() throws Exception {
        SecureRandom random = new SecureRandom();
        Instant now = Instant.parse("2026-11-30T12:00:00Z");
        List<VerificationService.Result.Done> batch = new ArrayList<>();
        ByteArrayOutputStream lines = new ByteArrayOutputStream();
        for (int i = 0; i < 100; i++) {
            String device = "sensor-" + UUID.randomUUID();
            DeviceSigningKey key = DeviceSigningKey.generate(i % 2 == 0 ? SignatureScheme.ED25519 : SignatureScheme.P256_SHA256, random);
            byte[] payload = ProofCodec.encode(device, 1_000 + i, now.plusMillis(i * 37L), "8b2a100d2d1bfff",
                    new SensorReading("temperature", 15 + random.nextInt(1_000) / 100.0, "celsius"), key);
            var record = new DeviceRecord(device, key.scheme(), key.publicKey(), "0x%040x".formatted(i + 1), DeviceStatus.ACTIVE,
                    "8b2a100d2d1bfff");
            var envelope = ProofCodec.decode(payload);
            Verdict verdict = i == 99
                    ? Verdict.Rejected.of(device, ReasonCode.BAD_SIGNATURE, "signature does not verify")
                    : new Verdict.Accepted(envelope, record, random.nextInt(1_000) - 500, 1);
            var done = new VerificationService.Result.Done(new InboundProof(UUID.randomUUID().toString(), device,
                    now.plusMillis(i * 41L), payload), new VerdictLedger.Recorded(VerdictLedger.Outcome.RECORDED, verdict, 20_422));
            batch.add(done);
            lines.writeBytes(S3VerdictArchive.line(JSON, done.delivery(), done.recorded()));
            lines.write('\n');
        }

        byte[] body = S3VerdictArchive.body(JSON, batch);
        try (var in = new GZIPInputStream(new ByteArrayInputStream(body))) {
            assertArrayEquals(lines.toByteArray(), in.readAllBytes(), "the object is the batch's lines, gzip-compressed");
        }
        double ratio = (double) body.length / lines.size();
        System.out.printf("paper trail, a batch of %d verdicts: %,d bytes of NDJSON (%.0f per verdict), %,d gzipped (%.0f per"
                + " verdict), ratio %.2f%n", batch.size(), lines.size(), lines.size() / 100.0, body.length, body.length / 100.0, ratio);
        assertTrue(ratio < 0.5, "compression pays for itself on a verifier batch: " + ratio);
        assertTrue(S3VerdictArchive.key(batch).matches("verdicts/dt=2026-11-30/[0-9a-f]{32}\\.ndjson\\.gz"), S3VerdictArchive.key(batch));
    }
}
