package dev.flywheel.s3;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.core.verify.InboundProof;
import dev.flywheel.core.verify.Verdict;
import dev.flywheel.core.verify.VerdictArchive;
import dev.flywheel.core.verify.VerdictLedger;
import dev.flywheel.core.verify.VerificationService;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/**
 * The paper trail in S3: one gzip-compressed newline-delimited JSON object per verifier batch, under
 * {@code verdicts/dt=<yyyy-MM-dd>/<sha-256 of the batch's delivery ids, 32 hex>.ndjson.gz}, the date being the earliest
 * receive time in the batch (UTC); template.yaml's Glue table {@code verdicts} reads it with Athena, partitioned by
 * {@code dt}. One line per verdict (docs/architecture.md, "Paper trail"): delivery id, topic device, receive time,
 * outcome, reason, detail, evidence, proof id, sequence, credited epoch, whether this write is the verdict's first
 * recording, and the payload exactly as received (base64): any proof can be verified again from it.
 *
 * <p>The key depends only on the batch's delivery ids, so a redelivered batch writes the same object again. Compressed
 * because the trail is kept for disputes and mostly never read: a batch of signed sensor proofs takes about a third of its
 * size ({@code S3VerdictArchiveTest} prints the figure), and Athena reads {@code .gz} objects as they are.
 */
public final class S3VerdictArchive implements VerdictArchive {
    public static final String PREFIX = "verdicts/";

    private final S3Client s3;
    private final String bucket;
    private final ObjectMapper json;

    /** @param json writes the lines: the caller's one mapper (a function passes its context's bean) */
    public S3VerdictArchive(S3Client s3, String bucket, ObjectMapper json) {
        this.s3 = s3;
        this.bucket = bucket;
        this.json = json;
    }

    @Override
    public void archive(List<VerificationService.Result.Done> results) {
        if (results.isEmpty()) {
            return;
        }
        String key = key(results);
        s3.putObject(p -> p.bucket(bucket).key(key).contentType("application/x-ndjson"),
                RequestBody.fromBytes(body(json, results)));
    }

    /** The batch's lines, one verdict each, gzip-compressed. */
    static byte[] body(ObjectMapper json, List<VerificationService.Result.Done> results) {
        ByteArrayOutputStream body = new ByteArrayOutputStream(results.size() * 320);
        try (GZIPOutputStream gzip = new GZIPOutputStream(body)) {
            for (VerificationService.Result.Done done : results) {
                gzip.write(line(json, done.delivery(), done.recorded()));
                gzip.write('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return body.toByteArray();
    }

    /**
     * An S3 client from the SDK's default chain for the trail's bucket: path-style addressing when an endpoint override
     * (moto, LocalStack) is set, since those serve every bucket on one host.
     */
    public static S3Client defaultClient() {
        boolean overridden = System.getenv("AWS_ENDPOINT_URL") != null || System.getenv("AWS_ENDPOINT_URL_S3") != null;
        return S3Client.builder().httpClient(UrlConnectionHttpClient.create()).forcePathStyle(overridden).build();
    }

    /** Where a day's batches are: {@code verdicts/dt=<yyyy-MM-dd>/}, the Glue table's {@code dt} partition. */
    static String dayPrefix(LocalDate day) {
        return PREFIX + "dt=" + day + "/";
    }

    /** The object key of a batch: its day and a digest of its sorted delivery ids. */
    public static String key(List<VerificationService.Result.Done> results) {
        Instant earliest = results.stream().map(d -> d.delivery().receivedAt()).min(Comparator.naturalOrder()).orElseThrow();
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            results.stream().map(d -> d.delivery().deliveryId()).sorted()
                    .forEach(id -> digest.update((id + "\n").getBytes(StandardCharsets.UTF_8)));
            return dayPrefix(LocalDate.ofInstant(earliest, ZoneOffset.UTC)) + HexFormat.of().formatHex(digest.digest(), 0, 16) + ".ndjson.gz";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] line(ObjectMapper json, InboundProof delivery, VerdictLedger.Recorded recorded) {
        ObjectNode n = json.createObjectNode();
        n.put("deliveryId", delivery.deliveryId());
        n.put("device", delivery.topicDeviceId());
        n.put("receivedAt", delivery.receivedAt().toEpochMilli());
        n.put("firstRecording", recorded.outcome() == VerdictLedger.Outcome.RECORDED);
        n.put("epoch", recorded.epoch());
        switch (recorded.stored()) {
            case Verdict.Accepted a -> {
                n.put("outcome", "accepted");
                n.put("proofId", a.proof().proofId());
                n.put("seq", a.proof().sequence());
                n.put("proofType", a.proof().type());
                n.put("units", a.workUnits());
                n.putObject("evidence").put("clockSkewMillis", a.clockSkewMillis());
            }
            case Verdict.Rejected r -> {
                n.put("outcome", "rejected");
                n.put("reason", r.reason().wire());
                n.put("detail", r.detail());
                n.put("proofId", r.proofId());
                n.put("seq", r.sequence());
                ObjectNode evidence = n.putObject("evidence");
                r.evidence().forEach((k, v) -> evidence.put(k, String.valueOf(v)));
            }
        }
        n.put("payload", Base64.getEncoder().encodeToString(delivery.payload()));
        try {
            return json.writeValueAsBytes(n);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
