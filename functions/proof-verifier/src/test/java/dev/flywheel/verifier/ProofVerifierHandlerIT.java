package dev.flywheel.verifier;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.flywheel.core.crypto.DeviceSigningKey;
import dev.flywheel.core.crypto.SignatureScheme;
import dev.flywheel.core.epoch.EpochClock;
import dev.flywheel.core.proof.ProofCodec;
import dev.flywheel.core.proof.SensorReading;
import dev.flywheel.core.reward.WorkCredit;
import dev.flywheel.core.verify.DeviceRecord;
import dev.flywheel.core.verify.DeviceStatus;
import dev.flywheel.dynamodb.DynamoDeviceRegistry;
import dev.flywheel.dynamodb.DynamoProofLedger;
import dev.flywheel.dynamodb.TableNames;
import dev.flywheel.testing.MotoDynamo;
import io.micronaut.context.ApplicationContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ProofVerifierHandler as the local function host builds it (properties, not environment variables),
 * against a real moto_server: SQS batches in, one verdict per message in the ledger.
 */
class ProofVerifierHandlerIT {
    private static final String GENESIS = "2026-01-01T00:00:00Z";
    private static final EpochClock CLOCK = new EpochClock(Instant.parse(GENESIS), Duration.ofSeconds(60));
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String OWNER = "0x4444444444444444444444444444444444444444";

    private static DynamoDbClient dynamo;
    private static TableNames tables;
    private static ProofVerifierHandler handler;
    private static DynamoProofLedger ledger;

    @BeforeAll
    static void start() {
        dynamo = MotoDynamo.client();
        tables = MotoDynamo.createTables(dynamo);
        handler = new ProofVerifierHandler(ApplicationContext.builder().properties(properties(tables)));
        ledger = new DynamoProofLedger(dynamo, tables, CLOCK, Duration.ofDays(1));
    }

    static Map<String, Object> properties(TableNames t) {
        return Map.of(
                "flywheel.devices.table", t.devices(),
                "flywheel.ledger.table", t.ledger(),
                "flywheel.epochs.table", t.epochs(),
                "flywheel.rewards.table", t.rewards(),
                "flywheel.settlements.table", t.settlements(),
                "flywheel.epoch.genesis", GENESIS,
                "flywheel.epoch.seconds", "60");
    }

    @AfterAll
    static void stop() throws Exception {
        if (handler != null) {
            handler.close();
        }
        MotoDynamo.deleteTables(dynamo, tables);
        if (dynamo != null) {
            dynamo.close();
        }
    }

    private record Device(String id, DeviceSigningKey key) {
    }

    private static Device register(SignatureScheme scheme) {
        String id = "thing-" + UUID.randomUUID().toString().substring(0, 8);
        DeviceSigningKey key = DeviceSigningKey.generate(scheme, RANDOM);
        DynamoDeviceRegistry registry = new DynamoDeviceRegistry(dynamo, tables.devices());
        assertTrue(registry.register(new DeviceRecord(id, scheme, key.publicKey(), OWNER, DeviceStatus.ACTIVE, null),
                "test-maker", Instant.now()));
        return new Device(id, key);
    }

    private static byte[] proof(Device d, long seq, Instant at, DeviceSigningKey signer) {
        return ProofCodec.encode(d.id(), seq, at, null, new SensorReading("pressure", 1013.25, "hpa"), signer);
    }

    /** What the IoT rule puts on the queue for a publish of {@code payload} by {@code thing}. */
    private static String ruleMessage(String thing, byte[] payload, Instant receivedAt) {
        return "{\"payload\":\"" + Base64.getEncoder().encodeToString(payload) + "\",\"thing\":\"" + thing
                + "\",\"topic\":\"flywheel/v1/" + thing + "/proofs\",\"receivedAt\":" + receivedAt.toEpochMilli() + "}";
    }

    private static SQSEvent.SQSMessage message(String id, String body) {
        SQSEvent.SQSMessage m = new SQSEvent.SQSMessage();
        m.setMessageId(id);
        m.setBody(body);
        m.setEventSource("aws:sqs");
        m.setReceiptHandle("rh-" + id);
        return m;
    }

    /** deliveryId -> outcome or reason, for every verdict item in the ledger table whose delivery id starts with prefix. */
    private static Map<String, String> storedVerdicts(String prefix) {
        Map<String, String> verdicts = new TreeMap<>();
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            ScanResponse page = dynamo.scan(s -> s.tableName(tables.ledger()).consistentRead(true).exclusiveStartKey(from));
            for (Map<String, AttributeValue> item : page.items()) {
                String id = item.get("pk").s().substring(2);
                if ("VERDICT".equals(item.get("sk").s()) && id.startsWith(prefix)) {
                    String outcome = item.get("outcome").s();
                    String previous = verdicts.put(id, "accepted".equals(outcome) ? outcome : item.get("reason").s());
                    assertEquals(null, previous, "two verdicts for delivery " + id);
                }
            }
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return verdicts;
    }

    @Test
    void aMixedBatchGetsOneVerdictPerMessageAndARedeliveryChangesNothing() {
        Device alice = register(SignatureScheme.ED25519);
        Device bob = register(SignatureScheme.P256_SHA256);
        Device carol = register(SignatureScheme.SECP256K1_KECCAK256);
        Instant now = Instant.now();
        long epoch = CLOCK.epochOf(now);
        byte[] honestAlice = proof(alice, 1, now.minusSeconds(1), alice.key());

        Map<String, String> expected = new LinkedHashMap<>();
        List<SQSEvent.SQSMessage> messages = new ArrayList<>();
        java.util.function.BiConsumer<String, String[]> add = (body, idAndReason) -> {
            messages.add(message(idAndReason[0], body));
            expected.put(idAndReason[0], idAndReason[1]);
        };
        String run = UUID.randomUUID().toString().substring(0, 8) + "-";
        add.accept(ruleMessage(alice.id(), honestAlice, now), new String[] {run + "honest-alice", "accepted"});
        add.accept(ruleMessage(bob.id(), proof(bob, 1, now.minusSeconds(2), bob.key()), now),
                new String[] {run + "honest-bob", "accepted"});
        add.accept(ruleMessage(carol.id(), proof(carol, 9, now.minusSeconds(2), carol.key()), now),
                new String[] {run + "honest-carol", "accepted"});
        DeviceSigningKey forger = DeviceSigningKey.generate(SignatureScheme.ED25519, RANDOM);
        add.accept(ruleMessage(alice.id(), proof(alice, 2, now.minusSeconds(1), forger), now),
                new String[] {run + "forged", "bad_signature"});
        add.accept(ruleMessage(alice.id(), honestAlice, now.plusMillis(5)), new String[] {run + "replay", "replayed"});
        add.accept(ruleMessage(bob.id(), proof(bob, 1, now.minusSeconds(1), bob.key()), now.plusMillis(6)),
                new String[] {run + "seq-reuse", "sequence_reused"});
        add.accept(ruleMessage(alice.id(), "{\"v\":1,\"device\":".getBytes(StandardCharsets.UTF_8), now),
                new String[] {run + "malformed", "malformed_json"});
        // Published by bob's thing but claiming to be alice: the topic identity wins.
        add.accept(ruleMessage(bob.id(), proof(alice, 3, now.minusSeconds(1), alice.key()), now),
                new String[] {run + "impersonation", "topic_device_mismatch"});
        add.accept(ruleMessage("thing-nobody", ProofCodec.encode("thing-nobody", 1, now, null,
                        new SensorReading("pressure", 1000, "hpa"), forger), now),
                new String[] {run + "unknown", "unknown_device"});
        add.accept("{\"hello\":1}", new String[] {run + "not-a-rule-message", "invalid_rule_message"});
        add.accept("this is not json", new String[] {run + "not-json", "invalid_rule_message"});
        // Only something other than the IoT rule can write these; they must still not poison the queue.
        add.accept(ruleMessage("", honestAlice, now), new String[] {run + "empty-thing", "invalid_rule_message"});
        add.accept("{\"payload\":\"%%%\",\"thing\":\"" + alice.id() + "\",\"receivedAt\":1}",
                new String[] {run + "payload-not-base64", "invalid_rule_message"});
        add.accept("{\"payload\":\"e30=\",\"thing\":\"" + alice.id() + "\"}",
                new String[] {run + "no-receive-time", "invalid_rule_message"});

        SQSEvent event = new SQSEvent();
        event.setRecords(messages);

        SQSBatchResponse response = handler.handleRequest(event, null);
        assertNotNull(response);
        assertEquals(List.of(), response.getBatchItemFailures(), "bad input is a recorded rejection, never a failed item");

        Map<String, String> stored = storedVerdicts(run);
        assertEquals(new TreeMap<>(expected), stored, "one verdict per message, with the right reason");
        java.util.Set<String> ours = java.util.Set.of(alice.id(), bob.id(), carol.id());
        List<WorkCredit> credits = ledger.credits(epoch).stream().filter(c -> ours.contains(c.deviceId())).toList();
        assertEquals(3, credits.size(), "three honest proofs, three credits: " + credits);
        assertEquals(List.of(alice.id(), bob.id(), carol.id()).stream().sorted().toList(),
                credits.stream().map(WorkCredit::deviceId).sorted().toList());
        assertTrue(credits.stream().allMatch(c -> c.owner().equals(OWNER) && c.units() == 1));

        // The replay points at the delivery that was credited; unreadable messages are kept under the unattributed device.
        DynamoProofLedger.VerdictRecord replay = ledger.verdictsForDevice(alice.id(), 50).stream()
                .filter(v -> v.deliveryId().equals(run + "replay")).findFirst().orElseThrow();
        assertEquals(run + "honest-alice", replay.evidence().get("firstDeliveryId"));
        assertEquals(5, ledger.verdictsForDevice(RuleMessage.UNATTRIBUTED, 50).stream()
                .filter(v -> v.deliveryId().startsWith(run)).count());

        DynamoProofLedger.VerdictCounts counts = ledger.countVerdicts();

        // SQS redelivers the whole batch (e.g. the function timed out after writing): nothing changes.
        SQSBatchResponse again = handler.handleRequest(event, null);
        assertEquals(List.of(), again.getBatchItemFailures());
        assertEquals(stored, storedVerdicts(run));
        assertEquals(credits, ledger.credits(epoch).stream().filter(c -> ours.contains(c.deviceId())).toList(),
                "credits are counted once");
        assertEquals(counts, ledger.countVerdicts());
    }

    @Test
    void aSuspendedDeviceIsRejectedAfterItsCacheEntryIsGone() {
        Device dave = register(SignatureScheme.ED25519);
        new DynamoDeviceRegistry(dynamo, tables.devices()).setStatus(dave.id(), DeviceStatus.SUSPENDED);
        Instant now = Instant.now();
        String id = "suspended-" + UUID.randomUUID();
        SQSEvent event = new SQSEvent();
        event.setRecords(List.of(message(id, ruleMessage(dave.id(), proof(dave, 1, now, dave.key()), now))));
        assertEquals(List.of(), handler.handleRequest(event, null).getBatchItemFailures());
        assertEquals(Map.of(id, "device_suspended"), storedVerdicts(id));
    }

    @Test
    void theContextWiresTheBeansFromProperties() {
        ApplicationContext context = handler.getApplicationContext();
        assertTrue(context.isRunning());
        assertEquals(tables, context.getBean(TableNames.class));
        assertEquals(CLOCK, context.getBean(EpochClock.class));
        assertNotNull(context.getBean(DynamoProofLedger.class));
    }
}
