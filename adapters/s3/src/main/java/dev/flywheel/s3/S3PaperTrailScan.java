package dev.flywheel.s3;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flywheel.core.trail.PaperTrailSearch;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * {@link PaperTrailSearch} by reading the trail's objects: lists {@code verdicts/dt=<day>/} for each day of the query's
 * range, reads and gunzips every object and keeps the lines of the device, the epoch and outcome {@code accepted}.
 *
 * <p>Right at devnet scale, where a day holds a few objects. At network scale each object is a verifier batch of many
 * devices, so a device's epoch means reading days of the whole network's trail: on AWS the same question goes to Athena
 * ({@code AthenaPaperTrailQuery} in adapters/athena), which scans the partitions in parallel and bills by bytes read.
 */
public final class S3PaperTrailScan implements PaperTrailSearch {
    private final S3Client s3;
    private final String bucket;
    private final ObjectMapper json;

    public S3PaperTrailScan(S3Client s3, String bucket, ObjectMapper json) {
        this.s3 = s3;
        this.bucket = bucket;
        this.json = json;
    }

    @Override
    public Answer acceptedProofs(Query query) {
        List<Line> lines = new ArrayList<>();
        for (LocalDate day : query.days()) {
            String prefix = S3VerdictArchive.dayPrefix(day);
            for (S3Object object : s3.listObjectsV2Paginator(l -> l.bucket(bucket).prefix(prefix)).contents()) {
                read(object.key(), query, lines);
            }
        }
        return PaperTrailSearch.fold(lines);
    }

    private void read(String key, Query query, List<Line> into) {
        try (ResponseInputStream<GetObjectResponse> in = s3.getObject(g -> g.bucket(bucket).key(key));
             BufferedReader reader = new BufferedReader(new InputStreamReader(new GZIPInputStream(in), StandardCharsets.UTF_8))) {
            String text;
            while ((text = reader.readLine()) != null) {
                if (text.isBlank()) {
                    continue;
                }
                JsonNode n = json.readTree(text);
                if (query.deviceId().equals(n.path("device").asText()) && n.path("epoch").asLong(Long.MIN_VALUE) == query.epoch()
                        && "accepted".equals(n.path("outcome").asText())) {
                    into.add(new Line(new AcceptedProof(n.path("deliveryId").asText(), n.path("proofId").asText(),
                            n.path("seq").asLong(), n.path("proofType").asText(), n.path("units").asLong(),
                            Instant.ofEpochMilli(n.path("receivedAt").asLong())), n.path("firstRecording").asBoolean()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("paper trail object s3://" + bucket + "/" + key + " is not gzipped NDJSON", e);
        }
    }
}
