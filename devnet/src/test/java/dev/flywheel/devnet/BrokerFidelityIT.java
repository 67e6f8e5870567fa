package dev.flywheel.devnet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flywheel.core.epoch.EpochClock;
import dev.flywheel.dynamodb.DynamoProofLedger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The devnet broker and rule behave as IoT Core's do at the edges, so nothing a device publishes is lost
 * without a trace (issue 11). Publishes go through {@code mosquitto_pub} with a device certificate from the
 * devnet CA, as a maker would send them:
 * <ul>
 *   <li>200 KB and 1 MB payloads are refused by the broker (IoT Core's 128 KB limit): the client is
 *       disconnected before any PUBACK, {@code mosquitto_pub} fails, the broker logs the oversize packet, and
 *       the rule never sees them;</li>
 *   <li>a 100 KB payload passes the broker and ends with a recorded verdict ({@code payload_too_large});</li>
 *   <li>when the rule's SQS action fails, the error action writes an error record with the original payload
 *       to the ingest error queue (the template's {@code ErrorAction}).</li>
 * </ul>
 */
class BrokerFidelityIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long EPOCH_SECONDS = 3600;

    private record Published(int exit, String output) {
    }

    /** {@code mosquitto_pub -q 1} of {@code size} bytes on the device's proofs topic, with its certificate. */
    private static Published publish(DevnetConfig devnet, String deviceId, Path payload) throws Exception {
        String dir = System.getenv("FLYWHEEL_DEVNET_DIR");
        Process issue = new ProcessBuilder(devnet.repoRoot().resolve("scripts/devnet").toString(), "issue-cert", deviceId)
                .redirectErrorStream(true).start();
        issue.getInputStream().readAllBytes();
        assertEquals(0, issue.waitFor(), "issue-cert " + deviceId);
        Path certs = Path.of(dir, "certs");
        Process p = new ProcessBuilder("mosquitto_pub", "-h", devnet.mqtt().host(), "-p", Integer.toString(devnet.mqtt().port()),
                "--cafile", devnet.caCert().toString(), "--cert", certs.resolve(deviceId + ".crt").toString(),
                "--key", certs.resolve(deviceId + ".key").toString(), "-i", deviceId, "-q", "1",
                "-t", "flywheel/v1/" + deviceId + "/proofs", "-f", payload.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "mosquitto_pub did not finish");
        return new Published(p.exitValue(), out);
    }

    private static Path payloadOf(int size) throws Exception {
        Path f = Files.createTempFile("flywheel-payload-", ".json");
        // Valid JSON text of exactly `size` bytes: a string member padded with spaces.
        String head = "{\"pad\":\"";
        String tail = "\"}";
        Files.writeString(f, head + "x".repeat(size - head.length() - tail.length()) + tail);
        assertEquals(size, Files.size(f));
        return f;
    }

    private static String brokerLog() throws Exception {
        return Files.readString(Path.of(System.getenv("FLYWHEEL_DEVNET_DIR"), "logs", "mosquitto.log"));
    }

    @Test
    void oversizePublishesAreRefusedByTheBrokerAndAcceptedOnesEndWithAVerdict() throws Exception {
        DevnetConfig devnet = DevnetFixture.freshStack("it-size-");
        try (DevnetFixture.Clients aws = DevnetFixture.Clients.open()) {
            DynamoDbClient dynamo = aws.dynamo();
            SqsClient sqs = aws.sqs();
            SecretsManagerClient secrets = aws.secrets();
            var provisioned = new DevnetProvisioner(devnet, dynamo, sqs, secrets).provision();
            Instant genesis = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(EPOCH_SECONDS);
            int port = HostProperties.freePort();
            var settings = new LocalFunctionHost.Settings(HostProperties.forStack(devnet, provisioned, genesis, EPOCH_SECONDS, port), provisioned.queueUrl(), provisioned.ingestErrorQueueUrl(), Duration.ofMinutes(10),
                    Duration.ofMinutes(10), port);
            var proofs = new DynamoProofLedger(dynamo, provisioned.tables(), new EpochClock(genesis, Duration.ofSeconds(EPOCH_SECONDS)),
                    Duration.ofDays(1));
            try (var host = new LocalFunctionHost(devnet, settings, sqs, msg -> System.err.println("[host] " + msg))) {
                host.start();
                String suffix = UUID.randomUUID().toString().substring(0, 6);

                // Over IoT Core's 128 KB: the broker disconnects the publisher, no PUBACK, nothing reaches the rule.
                for (int size : new int[]{200 * 1024, 1024 * 1024}) {
                    String device = "big-" + size / 1024 + "k-" + suffix;
                    Published r = publish(devnet, device, payloadOf(size));
                    assertNotEquals(0, r.exit(), size + " bytes: mosquitto_pub must fail, the broker refused it: " + r.output());
                    String log = brokerLog();
                    assertTrue(log.contains("Client " + device + " disconnected due to oversize packet"),
                            size + " bytes: the broker log shows the refusal");
                    System.out.printf("[fidelity] %,d-byte payload: refused by the broker (mosquitto_pub exit %d: %s)%n",
                            size, r.exit(), r.output().strip());
                }

                // Under the broker limit but over the protocol's 16 KiB: acknowledged, then a recorded verdict.
                String device = "mid-100k-" + suffix;
                Published ok = publish(devnet, device, payloadOf(100 * 1024));
                assertEquals(0, ok.exit(), "a 100 KB publish is within IoT Core's limit: " + ok.output());
                await(Duration.ofSeconds(30), () -> proofs.countVerdicts().rejected() >= 1);
                DynamoProofLedger.VerdictCounts counts = proofs.countVerdicts();
                assertEquals(Map.of("payload_too_large", 1L), counts.rejectedByReason());
                assertEquals(0, counts.accepted());
                System.out.printf("[fidelity] 102,400-byte payload: acknowledged, verdict %s%n", counts.rejectedByReason());

                // Nothing else was forwarded (the oversize ones never reached the rule), and no action failed.
                assertEquals(1, host.forwardedMessages());
                assertEquals(0, host.failedActions());
            }
        }
    }

    @Test
    void aFailedRuleActionEndsAsAnErrorRecordWithTheOriginalPayload() throws Exception {
        DevnetConfig devnet = DevnetFixture.freshStack("it-erract-");
        try (DevnetFixture.Clients aws = DevnetFixture.Clients.open()) {
            DynamoDbClient dynamo = aws.dynamo();
            SqsClient sqs = aws.sqs();
            SecretsManagerClient secrets = aws.secrets();
            var provisioned = new DevnetProvisioner(devnet, dynamo, sqs, secrets).provision();
            Instant genesis = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(EPOCH_SECONDS);
            int port = HostProperties.freePort();
            // The rule's action queue is gone (as if deleted or access were denied): every send fails.
            String missingQueue = provisioned.queueUrl() + "-deleted";
            var settings = new LocalFunctionHost.Settings(HostProperties.forStack(devnet, provisioned, genesis, EPOCH_SECONDS, port), missingQueue, provisioned.ingestErrorQueueUrl(), Duration.ofMinutes(10), Duration.ofMinutes(10), port);
            try (var host = new LocalFunctionHost(devnet, settings, sqs, msg -> System.err.println("[host] " + msg))) {
                host.start();
                String device = "erract-" + UUID.randomUUID().toString().substring(0, 6);
                Path payload = payloadOf(2048);
                assertEquals(0, publish(devnet, device, payload).exit());

                List<Message> records = new ArrayList<>();
                await(Duration.ofSeconds(30), () -> {
                    records.addAll(sqs.receiveMessage(b -> b.queueUrl(provisioned.ingestErrorQueueUrl()).maxNumberOfMessages(10)
                            .waitTimeSeconds(1)).messages());
                    return !records.isEmpty();
                });
                assertEquals(1, records.size());
                JsonNode record = JSON.readTree(records.get(0).body());
                assertEquals(LocalFunctionHost.RULE_NAME, record.path("ruleName").asText());
                assertEquals("flywheel/v1/" + device + "/proofs", record.path("topic").asText());
                assertEquals(device, record.path("clientId").asText());
                assertArrayEquals(Files.readAllBytes(payload), Base64.getDecoder().decode(record.path("base64OriginalPayload").asText()));
                JsonNode failure = record.path("failures").get(0);
                assertEquals("SqsAction", failure.path("failedAction").asText());
                assertEquals(missingQueue, failure.path("failedResource").asText());
                assertTrue(!failure.path("errorMessage").asText().isBlank());
                // The host counts the record after SQS took it, so the record can be read a moment before.
                await(Duration.ofSeconds(10), () -> host.errorRecords() >= 1);
                assertEquals(1, host.failedActions());
                assertEquals(1, host.errorRecords());
                System.out.printf("[fidelity] failed SQS action -> error record on the ingest error queue: %s%n",
                        failure.path("errorMessage").asText());
            }
        }
    }

    private static void await(Duration timeout, BooleanSupplier done) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (!done.getAsBoolean()) {
            assertTrue(Instant.now().isBefore(deadline), "timed out after " + timeout);
            Thread.sleep(500);
        }
    }
}
