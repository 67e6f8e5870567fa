package dev.flywheel.verifier;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
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
import dev.flywheel.testing.MotoTables;
import io.micronaut.context.ApplicationContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

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
    @RegisterExtension
    static final MotoTables MOTO = new MotoTables();
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
        dynamo = MOTO.dynamo();
        tables = MOTO.tables();
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

    /** What the IoT rule's action (SQS or Kinesis) carries for a publish of {@code payload} by {@code thing}. */
    static String ruleMessage(String thing, byte[] payload, Instant receivedAt) {
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

    /** deliveryId -> outcome or reason, for every verdict in the ledger table whose delivery id starts with prefix. */
    private static Map<String, String> storedVerdicts(String prefix) {
        Map<String, String> verdicts = new TreeMap<>();
        for (DynamoProofLedger.VerdictRecord v : ledger.scanVerdicts()) {
            if (v.deliveryId().startsWith(prefix)) {
                String previous = verdicts.put(v.deliveryId(), "accepted".equals(v.outcome()) ? v.outcome() : v.reason());
                assertEquals(null, previous, "two verdicts for delivery " + v.deliveryId());
            }
        }
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
    void firstRecordedVerdictsGetOneReceiptEachOnTheThingsReceiptsTopic() throws Exception {
        Device erin = register(SignatureScheme.ED25519);
        Instant now = Instant.now();
        long epoch = CLOCK.epochOf(now);
        byte[] honest = proof(erin, 1, now.minusSeconds(1), erin.key());
        String run = "receipts-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        SQSEvent event = new SQSEvent();
        event.setRecords(List.of(
                message(run + "ok", ruleMessage(erin.id(), honest, now)),
                message(run + "replay", ruleMessage(erin.id(), honest, now.plusMillis(3))),
                message(run + "hot", ruleMessage(erin.id(), ProofCodec.encode(erin.id(), 2, now, null,
                        new SensorReading("temperature", 150, "celsius"), erin.key()), now)),
                message(run + "garbage", ruleMessage(erin.id(), "{\"v\":".getBytes(StandardCharsets.UTF_8), now)),
                message(run + "unreadable", "not a rule message")));
        Map<String, Object> props = new java.util.HashMap<>(properties(tables));
        // FakeIotDataPlane stands in for IoT Core's HTTPS Publish endpoint (it cannot run here).
        try (var plane = new FakeIotDataPlane(topic -> false);
             var withReceipts = new ProofVerifierHandler(ApplicationContext.builder().properties(props)
                     .properties(Map.of("flywheel.iot-data.endpoint", plane.url())))) {
            assertEquals(List.of(), withReceipts.handleRequest(event, null).getBatchItemFailures());
            String topic = "/topics/flywheel/v1/" + erin.id() + "/receipts";
            List<Map<?, ?>> got = new ArrayList<>();
            for (FakeIotDataPlane.Request r : plane.requests) {
                assertEquals(topic, r.decodedPath(), "receipts go to the publishing thing's topic only");
                assertEquals("qos=1", r.rawQuery());
                assertTrue(r.header("authorization").startsWith("AWS4-HMAC-SHA256 Credential="), r.header("authorization"));
                got.add(new com.fasterxml.jackson.databind.ObjectMapper().readValue(r.body(), Map.class));
            }
            String proofId = ProofCodec.decode(honest).proofId();
            Map<Object, Object> byReason = new TreeMap<>();
            got.forEach(g -> byReason.put(g.containsKey("reason") ? g.get("reason") : g.get("outcome"), g));
            assertEquals(4, got.size(), "one receipt per attributed first verdict, none for the unreadable message: " + got);
            assertEquals(Map.of("proofId", proofId, "seq", 1, "outcome", "accepted", "epoch", (int) epoch), byReason.get("accepted"));
            assertEquals(Map.of("proofId", proofId, "seq", 1, "outcome", "rejected", "reason", "replayed"), byReason.get("replayed"));
            assertEquals(2, ((Map<?, ?>) byReason.get("value_out_of_range")).get("seq"));
            assertEquals(Map.of("seq", -1, "outcome", "rejected", "reason", "malformed_json"), byReason.get("malformed_json"));

            // SQS redelivers the batch: the verdicts are already recorded, so no second receipt.
            assertEquals(List.of(), withReceipts.handleRequest(event, null).getBatchItemFailures());
            assertEquals(4, plane.requests.size());
        }
    }

    @Test
    void aDataPlaneThatRefusesEveryReceiptNeverFailsTheBatch() throws Exception {
        Device frank = register(SignatureScheme.ED25519);
        Instant now = Instant.now();
        String id = "refused-" + UUID.randomUUID();
        SQSEvent event = new SQSEvent();
        event.setRecords(List.of(message(id, ruleMessage(frank.id(), proof(frank, 1, now, frank.key()), now))));
        try (var plane = new FakeIotDataPlane(topic -> true);
             var withReceipts = new ProofVerifierHandler(ApplicationContext.builder().properties(properties(tables))
                     .properties(Map.of("flywheel.iot-data.endpoint", plane.url())))) {
            assertEquals(List.of(), withReceipts.handleRequest(event, null).getBatchItemFailures());
            assertEquals(1, plane.requests.size());
        }
        assertEquals(Map.of(id, "accepted"), storedVerdicts(id));
    }

    @Test
    void aDenylistedDeviceIsRejectedAndRemovalRestoresAcceptance() {
        Device gina = register(SignatureScheme.ED25519);
        var denylist = new dev.flywheel.dynamodb.DynamoDenylist(dynamo, tables.devices());
        denylist.add(gina.id(), "integration test", "ProofVerifierHandlerIT");
        String run = "deny-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        // No denylist cache, so the removal bites on the very next batch.
        try (var handler = new ProofVerifierHandler(ApplicationContext.builder().properties(properties(tables))
                .properties(Map.of("flywheel.denylist-cache-seconds", "0")))) {
            Instant now = Instant.now();
            SQSEvent denied = new SQSEvent();
            denied.setRecords(List.of(message(run + "1", ruleMessage(gina.id(), proof(gina, 1, now, gina.key()), now))));
            assertEquals(List.of(), handler.handleRequest(denied, null).getBatchItemFailures());
            assertEquals(Map.of(run + "1", "denylisted"), storedVerdicts(run));

            assertTrue(denylist.remove(gina.id()));
            SQSEvent allowed = new SQSEvent();
            // Same seq: a rejected proof does not consume its number.
            allowed.setRecords(List.of(message(run + "2", ruleMessage(gina.id(), proof(gina, 1, now.plusMillis(1), gina.key()),
                    now.plusMillis(2)))));
            assertEquals(List.of(), handler.handleRequest(allowed, null).getBatchItemFailures());
            assertEquals(Map.of(run + "1", "denylisted", run + "2", "accepted"), storedVerdicts(run));
        }
    }

    @Test
    void theContextWiresTheBeansFromProperties() {
        ApplicationContext context = handler.getApplicationContext();
        assertTrue(context.isRunning());
        assertEquals(tables, context.getBean(TableNames.class));
        assertEquals(CLOCK, context.getBean(EpochClock.class));
        assertNotNull(context.getBean(DynamoProofLedger.class));
    }

    /**
     * The verification issue's bad-input corpus: each hostile payload becomes one recorded rejection
     * with a reason, the batch reports no failure, and the valid proof beside them is credited once.
     */
    @Test
    void aFuzzCorpusIsRecordedAsRejectionsWithoutLosingTheValidProof() {
        Device d = register(SignatureScheme.ED25519);
        Instant at = CLOCK.start(CLOCK.epochOf(Instant.now()) + 3000).plusSeconds(5);
        String valid = new String(proof(d, 1, at, d.key()), StandardCharsets.UTF_8);
        String head = "{\"v\":1,\"device\":\"" + d.id() + "\",\"type\":\"sensor.reading\",";
        String sig = ",\"sig\":{\"alg\":\"ed25519\",\"value\":\"AAAA\"}}";
        Map<String, String> corpus = new LinkedHashMap<>();
        corpus.put("truncated", valid.substring(0, valid.length() / 2));
        corpus.put("wrong-types", head + "\"seq\":\"2\",\"time\":1,\"body\":{}" + sig);
        corpus.put("huge-exponent", head + "\"seq\":1e400,\"time\":1,\"body\":{}" + sig);
        corpus.put("huge-integer", head + "\"seq\":3,\"time\":" + at.toEpochMilli()
                + ",\"body\":{\"metric\":\"pressure\",\"value\":123456789012345678901234567890,\"unit\":\"hpa\"}" + sig);
        corpus.put("deep-nesting", head + "\"seq\":4,\"time\":1,\"body\":" + "[".repeat(200) + "]".repeat(200) + sig);
        corpus.put("duplicate-keys", head + "\"seq\":5,\"seq\":6,\"time\":1,\"body\":{}" + sig);
        corpus.put("nan", head + "\"seq\":7,\"time\":1,\"body\":{\"metric\":\"pressure\",\"value\":NaN,\"unit\":\"hpa\"}" + sig);
        corpus.put("homoglyph-device", valid.replace(d.id(), d.id().replace('t', '\u0442')));
        corpus.put("lone-surrogate", head + "\"seq\":8,\"time\":1,\"body\":{\"metric\":\"\\ud800\",\"value\":1,\"unit\":\"hpa\"}" + sig);
        corpus.put("one-megabyte", head + "\"seq\":9,\"time\":1,\"body\":{\"pad\":\"" + "x".repeat(1 << 20) + "\"}" + sig);
        corpus.put("empty", "");
        corpus.put("array-root", "[" + valid + "]");
        corpus.put("binary", new String(new byte[]{(byte) 0xff, (byte) 0xfe, 0, 1, 2}, StandardCharsets.ISO_8859_1));

        String prefix = "fuzz-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        List<SQSEvent.SQSMessage> messages = new ArrayList<>();
        messages.add(message(prefix + "valid", ruleMessage(d.id(), valid.getBytes(StandardCharsets.UTF_8), at)));
        corpus.forEach((name, payload) -> messages.add(message(prefix + name,
                ruleMessage(d.id(), payload.getBytes(name.equals("binary") ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8), at))));
        SQSEvent event = new SQSEvent();
        event.setRecords(messages);

        SQSBatchResponse response = handler.handleRequest(event, null);

        assertTrue(response.getBatchItemFailures().isEmpty(), "bad input never fails the batch");
        Map<String, String> verdicts = storedVerdicts(prefix);
        assertEquals(corpus.size() + 1, verdicts.size(), "one verdict per message: " + verdicts);
        assertEquals("accepted", verdicts.get(prefix + "valid"));
        Map<String, String> expected = Map.of(
                "truncated", "malformed_json", "wrong-types", "schema_invalid", "huge-exponent", "schema_invalid",
                "huge-integer", "non_canonical_value", "deep-nesting", "malformed_json", "duplicate-keys", "malformed_json",
                "nan", "malformed_json", "one-megabyte", "payload_too_large", "empty", "malformed_json",
                "array-root", "malformed_json");
        expected.forEach((name, reason) -> assertEquals(reason, verdicts.get(prefix + name), name));
        for (String name : List.of("homoglyph-device", "lone-surrogate", "binary")) {
            String reason = verdicts.get(prefix + name);
            assertNotNull(reason, name);
            assertTrue(!reason.equals("accepted"), name + " must be rejected, was " + reason);
        }
        long credits = ledger.credits(CLOCK.epochOf(at)).stream().filter(c -> c.deviceId().equals(d.id()))
                .mapToLong(WorkCredit::units).sum();
        assertEquals(1, credits, "the valid proof is credited exactly once");
    }
}
