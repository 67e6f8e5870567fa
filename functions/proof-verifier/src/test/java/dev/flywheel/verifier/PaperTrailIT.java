package dev.flywheel.verifier;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flywheel.core.crypto.DeviceSigningKey;
import dev.flywheel.core.crypto.SignatureScheme;
import dev.flywheel.core.epoch.EpochClock;
import dev.flywheel.core.proof.ProofCodec;
import dev.flywheel.core.types.sensor.SensorReading;
import dev.flywheel.core.reward.WorkCredit;
import dev.flywheel.core.proof.DeviceRecord;
import dev.flywheel.core.proof.DeviceStatus;
import dev.flywheel.dynamodb.DynamoDeviceRegistry;
import dev.flywheel.dynamodb.DynamoProofLedger;
import dev.flywheel.dynamodb.TableNames;
import dev.flywheel.s3.S3VerdictArchive;
import dev.flywheel.testing.MotoDynamo;
import io.micronaut.context.ApplicationContext;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The paper trail on a real moto_server (DynamoDB and S3): the ledger is written first, the batch's gzipped NDJSON object
 * after.
 * A failure between the two (here S3 refusing the write: the bucket does not exist yet; a crash at that point is the same
 * to SQS, which redelivers every message not deleted) loses no verdict: the redelivered batch finds each verdict
 * already recorded, credits nothing again, and writes all of them to the trail with the exact bytes received.
 */
class PaperTrailIT {
    private static final String GENESIS = "2026-01-01T00:00:00Z";
    private static final EpochClock CLOCK = new EpochClock(Instant.parse(GENESIS), Duration.ofSeconds(3600));
    private static final String OWNER = "0x5555555555555555555555555555555555555555";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aFailureBetweenTheLedgerWriteAndTheTrailWriteLosesNoVerdict() throws Exception {
        DynamoDbClient dynamo = MotoDynamo.client();
        TableNames tables = MotoDynamo.createTables(dynamo);
        String bucket = "it-trail-" + UUID.randomUUID().toString().substring(0, 8);
        S3Client s3 = S3Client.builder().endpointOverride(MotoDynamo.endpoint()).region(Region.of(System.getenv("AWS_REGION")))
                .httpClient(UrlConnectionHttpClient.create()).forcePathStyle(true).build();
        Map<String, Object> properties = new HashMap<>(ProofVerifierHandlerIT.properties(tables));
        properties.put("flywheel.epoch.seconds", "3600");
        properties.put("flywheel.paper-trail.bucket", bucket);
        try (ProofVerifierHandler handler = new ProofVerifierHandler(ApplicationContext.builder().properties(properties))) {
            SecureRandom random = new SecureRandom();
            String id = "trail-" + UUID.randomUUID().toString().substring(0, 8);
            DeviceSigningKey key = DeviceSigningKey.generate(SignatureScheme.ED25519, random);
            new DynamoDeviceRegistry(dynamo, tables.devices()).register(new DeviceRecord(id, SignatureScheme.ED25519,
                    key.publicKey(), OWNER, DeviceStatus.ACTIVE, null), "test", Instant.now());
            Instant now = Instant.now();
            Map<String, byte[]> payloads = new TreeMap<>();
            payloads.put("m-1", ProofCodec.encode(id, 1, now, null, new SensorReading("pressure", 1013.25, "hpa"), key));
            payloads.put("m-2", ProofCodec.encode(id, 2, now, null, new SensorReading("pressure", 1013.25, "hpa"), key));
            payloads.put("m-3", ProofCodec.encode(id, 3, now, null, new SensorReading("pressure", 1013.5, "hpa"),
                    DeviceSigningKey.generate(SignatureScheme.ED25519, random)));
            List<SQSEvent.SQSMessage> messages = new ArrayList<>();
            payloads.forEach((mid, payload) -> messages.add(message(id + "-" + mid,
                    ProofVerifierHandlerIT.ruleMessage(id, payload, now))));
            messages.add(message(id + "-m-4", "not a rule message"));
            SQSEvent event = new SQSEvent();
            event.setRecords(messages);

            // 1. The ledger takes the verdicts; the trail write fails: every message is reported back for redelivery.
            var first = handler.handleRequest(event, null);
            assertEquals(messages.stream().map(SQSEvent.SQSMessage::getMessageId).sorted().toList(),
                    first.getBatchItemFailures().stream().map(f -> f.getItemIdentifier()).sorted().toList());
            DynamoProofLedger ledger = new DynamoProofLedger(dynamo, tables, CLOCK, Duration.ofDays(1));
            long epoch = CLOCK.epochOf(now);
            assertEquals(List.of(new WorkCredit(id, OWNER, 2)), ledger.credits(epoch));

            // 2. SQS redelivers the batch once the trail can be written: nothing is credited again, everything is archived.
            s3.createBucket(b -> b.bucket(bucket));
            assertEquals(List.of(), handler.handleRequest(event, null).getBatchItemFailures());
            assertEquals(List.of(new WorkCredit(id, OWNER, 2)), ledger.credits(epoch));
            List<String> keys = s3.listObjectsV2(l -> l.bucket(bucket).prefix(S3VerdictArchive.PREFIX)).contents().stream()
                    .map(o -> o.key()).toList();
            assertEquals(1, keys.size(), keys.toString());
            assertEquals("verdicts/dt=" + now.toString().substring(0, 10), keys.get(0).substring(0, keys.get(0).lastIndexOf('/')));
            Map<String, JsonNode> lines = lines(s3, bucket, keys.get(0));
            assertEquals(4, lines.size());
            assertEquals("accepted", lines.get(id + "-m-1").path("outcome").asText());
            assertEquals("accepted", lines.get(id + "-m-2").path("outcome").asText());
            assertEquals("bad_signature", lines.get(id + "-m-3").path("reason").asText());
            assertEquals("invalid_rule_message", lines.get(id + "-m-4").path("reason").asText());
            for (var e : payloads.entrySet()) {
                JsonNode line = lines.get(id + "-" + e.getKey());
                assertFalse(line.path("firstRecording").asBoolean(), "recorded by the first delivery");
                assertArrayEquals(e.getValue(), Base64.getDecoder().decode(line.path("payload").asText()),
                        "the trail keeps the exact signed bytes");
            }
            assertArrayEquals("not a rule message".getBytes(StandardCharsets.UTF_8),
                    Base64.getDecoder().decode(lines.get(id + "-m-4").path("payload").asText()));

            // 3. Another redelivery rewrites the same object: still one line per verdict.
            assertEquals(List.of(), handler.handleRequest(event, null).getBatchItemFailures());
            assertEquals(1, s3.listObjectsV2(l -> l.bucket(bucket).prefix(S3VerdictArchive.PREFIX)).contents().size());
            assertEquals(4, lines(s3, bucket, keys.get(0)).size());
        } finally {
            MotoDynamo.deleteTables(dynamo, tables);
            dynamo.close();
            s3.close();
        }
    }

    private static Map<String, JsonNode> lines(S3Client s3, String bucket, String key) throws Exception {
        Map<String, JsonNode> out = new TreeMap<>();
        assertTrue(key.endsWith(".ndjson.gz"), key);
        byte[] gzipped = s3.getObjectAsBytes(g -> g.bucket(bucket).key(key)).asByteArray();
        String body;
        try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(gzipped))) {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        for (String line : body.split("\n")) {
            JsonNode n = JSON.readTree(line);
            out.put(n.path("deliveryId").asText(), n);
        }
        return out;
    }

    private static SQSEvent.SQSMessage message(String id, String body) {
        SQSEvent.SQSMessage m = new SQSEvent.SQSMessage();
        m.setMessageId(id);
        m.setBody(body);
        m.setEventSource("aws:sqs");
        m.setReceiptHandle("rh-" + id);
        return m;
    }
}
