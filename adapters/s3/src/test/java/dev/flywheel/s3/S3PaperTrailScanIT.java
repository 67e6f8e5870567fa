package dev.flywheel.s3;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flywheel.core.crypto.DeviceSigningKey;
import dev.flywheel.core.crypto.SignatureScheme;
import dev.flywheel.core.epoch.EpochClock;
import dev.flywheel.core.proof.DeviceRecord;
import dev.flywheel.core.proof.DeviceStatus;
import dev.flywheel.core.proof.ProofCodec;
import dev.flywheel.core.proof.ReasonCode;
import dev.flywheel.core.types.sensor.SensorReading;
import dev.flywheel.core.verify.InboundProof;
import dev.flywheel.core.trail.PaperTrailSearch;
import dev.flywheel.core.verify.Verdict;
import dev.flywheel.core.verify.VerdictLedger;
import dev.flywheel.core.verify.VerificationService;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.s3.S3Client;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * {@link S3PaperTrailScan} on moto's S3 (scripts/test's {@code AWS_ENDPOINT_URL}), reading objects written by
 * {@link S3VerdictArchive}: the device's accepted proofs of the epoch come back exactly once each, sorted by receive
 * time, whatever else the objects hold: other devices, the device's other epochs, rejections, a batch redelivered with a
 * different membership (its verdicts written again into a second object), and a batch whose day is the day before the
 * epoch (a batch straddling midnight sits under its earliest receive time's day).
 */
class S3PaperTrailScanIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Hour-long epochs; epoch 24 is 2026-01-02T00:00 to 01:00, so its range reads 2026-01-01 and 2026-01-02. */
    private static final EpochClock CLOCK = new EpochClock(Instant.parse("2026-01-01T00:00:00Z"), Duration.ofHours(1));
    private static final SecureRandom RANDOM = new SecureRandom();

    @Test
    void readsBackExactlyTheDevicesAcceptedProofsOfTheEpoch() throws Exception {
        String bucket = "it-trail-scan-" + UUID.randomUUID().toString().substring(0, 8);
        try (S3Client s3 = S3Client.builder().httpClient(UrlConnectionHttpClient.create()).forcePathStyle(true).build()) {
            s3.createBucket(b -> b.bucket(bucket));
            S3VerdictArchive archive = new S3VerdictArchive(s3, bucket, JSON);
            String device = "scan-" + UUID.randomUUID().toString().substring(0, 8);
            String other = device + "-other";
            DeviceSigningKey key = DeviceSigningKey.generate(SignatureScheme.ED25519, RANDOM);
            long epoch = 24;
            Instant start = CLOCK.start(epoch);

            // Batch 1, under 2026-01-01 (its earliest line is the other device's proof at 23:59:58 the day before):
            // two accepted proofs of the device in the epoch, one rejection of it, another device's accepted proof.
            var a1 = accepted(device, key, 1, start.plusSeconds(5), epoch, 2, true);
            var a2 = accepted(device, key, 2, start.plusSeconds(65), epoch, 3, true);
            List<VerificationService.Result.Done> batch1 = List.of(
                    accepted(other, key, 1, start.minusSeconds(2), epoch - 1, 5, true), a1, a2,
                    rejected(device, 3, start.plusSeconds(70), epoch));
            archive.archive(batch1);
            // Batch 2, redelivered with a new member: a2 again (already recorded, firstRecording false) and a new proof.
            var a2Again = new VerificationService.Result.Done(a2.delivery(),
                    new VerdictLedger.Recorded(VerdictLedger.Outcome.ALREADY_RECORDED, a2.recorded().stored(), epoch));
            var a4 = accepted(device, key, 4, start.plusSeconds(30), epoch, 1, true);
            archive.archive(List.of(a2Again, a4));
            // Batch 3: the device's proof credited to the next epoch, and one of the epoch before: neither is asked for.
            archive.archive(List.of(accepted(device, key, 5, start.plusSeconds(3_605), epoch + 1, 7, true),
                    accepted(device, key, 6, start.minusSeconds(30), epoch - 1, 7, true)));
            assertEquals(3, s3.listObjectsV2(l -> l.bucket(bucket).prefix(S3VerdictArchive.PREFIX)).keyCount());

            var answer = assertInstanceOf(PaperTrailSearch.Found.class,
                    new S3PaperTrailScan(s3, bucket, JSON).acceptedProofs(PaperTrailSearch.Query.of(device, epoch, CLOCK)));
            assertEquals(List.of(a1.delivery().deliveryId(), a4.delivery().deliveryId(), a2.delivery().deliveryId()),
                    answer.proofs().stream().map(PaperTrailSearch.AcceptedProof::deliveryId).toList());
            PaperTrailSearch.AcceptedProof first = answer.proofs().get(0);
            assertEquals(new PaperTrailSearch.AcceptedProof(a1.delivery().deliveryId(),
                    ((Verdict.Accepted) a1.recorded().stored()).proof().proofId(), 1, SensorReading.TYPE, 2, start.plusSeconds(5)), first);
            assertEquals(6, answer.units(), "2 + 1 + 3: the redelivered proof counted once");
            assertFalse(answer.truncated());

            var none = assertInstanceOf(PaperTrailSearch.Found.class,
                    new S3PaperTrailScan(s3, bucket, JSON).acceptedProofs(PaperTrailSearch.Query.of(device, epoch + 48, CLOCK)));
            assertEquals(List.of(), none.proofs(), "days with no objects answer nothing");
        }
    }

    private static VerificationService.Result.Done accepted(String device, DeviceSigningKey key, long seq, Instant received,
                                                             long epoch, long units, boolean first)
            throws Exception {
        byte[] payload = ProofCodec.encode(device, seq, received.minusMillis(20), null,
                new SensorReading("temperature", 4.5 + seq, "celsius"), key);
        var record = new DeviceRecord(device, key.scheme(), key.publicKey(), "0x" + "1".repeat(40), DeviceStatus.ACTIVE, null);
        Verdict v = new Verdict.Accepted(ProofCodec.decode(payload), record, 20, units);
        return new VerificationService.Result.Done(new InboundProof(device + "#" + seq + "#" + UUID.randomUUID(), device, received,
                payload), new VerdictLedger.Recorded(first ? VerdictLedger.Outcome.RECORDED : VerdictLedger.Outcome.ALREADY_RECORDED,
                v, epoch));
    }

    private static VerificationService.Result.Done rejected(String device, long seq, Instant received, long epoch) {
        Verdict v = Verdict.Rejected.of(device, ReasonCode.BAD_SIGNATURE, "signature does not verify");
        return new VerificationService.Result.Done(new InboundProof(device + "#" + seq, device, received, new byte[]{1, 2}),
                new VerdictLedger.Recorded(VerdictLedger.Outcome.RECORDED, v, epoch));
    }
}
