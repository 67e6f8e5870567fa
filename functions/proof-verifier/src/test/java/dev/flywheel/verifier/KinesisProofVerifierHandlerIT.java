package dev.flywheel.verifier;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import dev.flywheel.core.crypto.DeviceSigningKey;
import dev.flywheel.core.crypto.SignatureScheme;
import dev.flywheel.core.epoch.EpochClock;
import dev.flywheel.core.proof.DeviceRecord;
import dev.flywheel.core.proof.DeviceStatus;
import dev.flywheel.core.proof.ProofCodec;
import dev.flywheel.core.reward.WorkCredit;
import dev.flywheel.core.types.sensor.SensorReading;
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

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * KinesisProofVerifierHandler against a real moto_server: Kinesis batches of IoT rule records in, one verdict per
 * record in the ledger, the same verification path as the SQS entry point; a redelivered record (same shard and
 * sequence number) changes nothing, the same proof re-put as a new record is a {@code replayed} rejection, and a
 * partial failure names only the first failed record's sequence number.
 */
class KinesisProofVerifierHandlerIT {
    @RegisterExtension
    static final MotoTables MOTO = new MotoTables();
    private static final String GENESIS = "2026-01-01T00:00:00Z";
    private static final EpochClock CLOCK = new EpochClock(Instant.parse(GENESIS), Duration.ofSeconds(60));
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String OWNER = "0x5555555555555555555555555555555555555555";
    private static final String SHARD = "shardId-000000000000";
    private static final AtomicLong SEQUENCE = new AtomicLong(49_658_305_810_617_512L);

    private static DynamoDbClient dynamo;
    private static TableNames tables;
    private static KinesisProofVerifierHandler handler;
    private static DynamoProofLedger ledger;

    @BeforeAll
    static void start() {
        dynamo = MOTO.dynamo();
        tables = MOTO.tables();
        handler = new KinesisProofVerifierHandler(ApplicationContext.builder().properties(ProofVerifierHandlerIT.properties(tables)));
        ledger = new DynamoProofLedger(dynamo, tables, CLOCK, Duration.ofDays(1));
    }

    @AfterAll
    static void stop() throws Exception {
        if (handler != null) {
            handler.close();
        }
    }

    private record Device(String id, DeviceSigningKey key) {
    }

    private static Device register() {
        String id = "thing-" + UUID.randomUUID().toString().substring(0, 8);
        DeviceSigningKey key = DeviceSigningKey.generate(SignatureScheme.ED25519, RANDOM);
        assertTrue(new DynamoDeviceRegistry(dynamo, tables.devices()).register(
                new DeviceRecord(id, SignatureScheme.ED25519, key.publicKey(), OWNER, DeviceStatus.ACTIVE, null),
                "test-maker", Instant.now()));
        return new Device(id, key);
    }

    private static byte[] proof(Device d, long seq, Instant at, DeviceSigningKey signer) {
        return ProofCodec.encode(d.id(), seq, at, null, new SensorReading("pressure", 1013.25, "hpa"), signer);
    }

    /** A record as Lambda's Kinesis event source hands it over, with the next sequence number of the shard. */
    private static KinesisEvent.KinesisEventRecord record(String partitionKey, String data) {
        String sequence = Long.toString(SEQUENCE.incrementAndGet());
        KinesisEvent.Record k = new KinesisEvent.Record();
        k.setPartitionKey(partitionKey);
        k.setSequenceNumber(sequence);
        k.setData(ByteBuffer.wrap(data.getBytes(StandardCharsets.UTF_8)));
        k.setApproximateArrivalTimestamp(new java.util.Date());
        k.setKinesisSchemaVersion("1.0");
        KinesisEvent.KinesisEventRecord r = new KinesisEvent.KinesisEventRecord();
        r.setKinesis(k);
        r.setEventID(SHARD + ":" + sequence);
        r.setEventSource("aws:kinesis");
        r.setEventName("aws:kinesis:record");
        r.setEventSourceARN("arn:aws:kinesis:us-east-1:123456789012:stream/flywheel-proof-stream");
        return r;
    }

    private static KinesisEvent event(List<KinesisEvent.KinesisEventRecord> records) {
        KinesisEvent event = new KinesisEvent();
        event.setRecords(records);
        return event;
    }

    private static String deliveryIdOf(KinesisEvent.KinesisEventRecord r) {
        return KinesisProofVerifierHandler.deliveryId(r.getEventID(), r.getKinesis().getSequenceNumber());
    }

    /** deliveryId -> outcome or reason, for every verdict in the ledger of one of {@code ids}. */
    private static Map<String, String> storedVerdicts(Set<String> ids) {
        Map<String, String> verdicts = new TreeMap<>();
        for (DynamoProofLedger.VerdictRecord v : ledger.scanVerdicts()) {
            if (ids.contains(v.deliveryId())) {
                String previous = verdicts.put(v.deliveryId(), "accepted".equals(v.outcome()) ? v.outcome() : v.reason());
                assertEquals(null, previous, "two verdicts for delivery " + v.deliveryId());
            }
        }
        return verdicts;
    }

    @Test
    void aMixedBatchGetsOneVerdictPerRecordAndARedeliveryChangesNothing() {
        Device alice = register();
        Device bob = register();
        Instant now = Instant.now();
        long epoch = CLOCK.epochOf(now);
        byte[] honestAlice = proof(alice, 1, now.minusSeconds(1), alice.key());

        List<KinesisEvent.KinesisEventRecord> records = new ArrayList<>();
        Map<String, String> expected = new LinkedHashMap<>();
        java.util.function.BiConsumer<KinesisEvent.KinesisEventRecord, String> add = (r, outcome) -> {
            records.add(r);
            expected.put(deliveryIdOf(r), outcome);
        };
        add.accept(record(alice.id(), ProofVerifierHandlerIT.ruleMessage(alice.id(), honestAlice, now)), "accepted");
        add.accept(record(alice.id(), ProofVerifierHandlerIT.ruleMessage(alice.id(), proof(alice, 2, now, alice.key()), now.plusMillis(1))), "accepted");
        add.accept(record(bob.id(), ProofVerifierHandlerIT.ruleMessage(bob.id(), proof(bob, 1, now, bob.key()), now)), "accepted");
        add.accept(record(bob.id(), ProofVerifierHandlerIT.ruleMessage(bob.id(), proof(bob, 2, now, DeviceSigningKey.generate(SignatureScheme.ED25519, RANDOM)),
                now.plusMillis(1))), "bad_signature");
        add.accept(record(alice.id(), ProofVerifierHandlerIT.ruleMessage(alice.id(), "{\"v\":1,\"device\":".getBytes(StandardCharsets.UTF_8), now)),
                "malformed_json");
        // Only something other than the IoT rule can write these; they must still not block the shard.
        add.accept(record("anyone", "this is not json"), "invalid_rule_message");
        KinesisEvent event = event(records);

        StreamsEventResponse response = handler.handleRequest(event, null);
        assertEquals(List.of(), response.getBatchItemFailures(), "bad input is a recorded rejection, never a failed record");
        Map<String, String> stored = storedVerdicts(expected.keySet());
        assertEquals(new TreeMap<>(expected), stored, "one verdict per record, with the right reason");
        Set<String> ours = Set.of(alice.id(), bob.id());
        List<WorkCredit> credits = ledger.credits(epoch).stream().filter(c -> ours.contains(c.deviceId())).toList();
        assertEquals(Map.of(alice.id(), 2L, bob.id(), 1L), credits.stream().collect(java.util.stream.Collectors.toMap(
                WorkCredit::deviceId, WorkCredit::units, Long::sum)), "three honest proofs, three units: " + credits);
        DynamoProofLedger.VerdictCounts counts = ledger.countVerdicts();

        // Lambda retries the batch from its checkpoint (an iterator replay): same shard, same sequence numbers.
        assertEquals(List.of(), handler.handleRequest(event, null).getBatchItemFailures());
        assertEquals(stored, storedVerdicts(expected.keySet()));
        assertEquals(credits, ledger.credits(epoch).stream().filter(c -> ours.contains(c.deviceId())).toList(),
                "credits are counted once");
        assertEquals(counts, ledger.countVerdicts());

        // The IoT rule's action retried after a lost answer puts the same message again: a new record, a new sequence
        // number, the same proof: replayed, pointing at the credited delivery.
        KinesisEvent.KinesisEventRecord reput = record(alice.id(), ProofVerifierHandlerIT.ruleMessage(alice.id(), honestAlice, now));
        assertEquals(List.of(), handler.handleRequest(event(List.of(reput)), null).getBatchItemFailures());
        assertEquals(Map.of(deliveryIdOf(reput), "replayed"), storedVerdicts(Set.of(deliveryIdOf(reput))));
        DynamoProofLedger.VerdictRecord replay = ledger.verdictsForDevice(alice.id(), 50).stream()
                .filter(v -> v.deliveryId().equals(deliveryIdOf(reput))).findFirst().orElseThrow();
        assertEquals(deliveryIdOf(records.getFirst()), replay.evidence().get("firstDeliveryId"));
        assertEquals(credits, ledger.credits(epoch).stream().filter(c -> ours.contains(c.deviceId())).toList());
    }

    @Test
    void theDeliveryIdIsStableForARecordAndDiffersBetweenRecordsAndShards() {
        String a = KinesisProofVerifierHandler.deliveryId("shardId-000000000000:49658", "49658");
        assertEquals(a, KinesisProofVerifierHandler.deliveryId("shardId-000000000000:49658", "49658"));
        assertEquals(a, UUID.fromString(a).toString(), "a UUID: 16 bytes in the device's packed guard");
        assertNotEquals(a, KinesisProofVerifierHandler.deliveryId("shardId-000000000001:49658", "49658"));
        assertNotEquals(a, KinesisProofVerifierHandler.deliveryId("shardId-000000000000:49659", "49659"));
    }

    /**
     * A stream is processed in order: of several records whose verdicts were not stored, only the first (in batch order)
     * is reported; Lambda resumes there. The batch path is replaced by one that fails chosen deliveries (a storage
     * failure for exactly those records cannot be provoked on moto without failing its neighbours too).
     */
    @Test
    void aPartialFailureNamesTheFirstFailedSequenceNumberOnly() throws Exception {
        List<KinesisEvent.KinesisEventRecord> records = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            records.add(record("dev-" + i, "{}"));
        }
        Set<String> failing = new LinkedHashSet<>(List.of(deliveryIdOf(records.get(3)), deliveryIdOf(records.get(1))));
        try (var failingHandler = new KinesisProofVerifierHandler(ApplicationContext.builder()
                .properties(ProofVerifierHandlerIT.properties(tables)))) {
            failingHandler.batches = new BatchVerifier() {
                @Override
                Set<String> verify(List<IngestMessage> batch) {
                    assertEquals(records.stream().map(KinesisProofVerifierHandlerIT::deliveryIdOf).toList(),
                            batch.stream().map(IngestMessage::deliveryId).toList(), "records in stream order");
                    return failing;
                }
            };
            StreamsEventResponse response = failingHandler.handleRequest(event(records), null);
            assertEquals(List.of(records.get(1).getKinesis().getSequenceNumber()),
                    response.getBatchItemFailures().stream().map(StreamsEventResponse.BatchItemFailure::getItemIdentifier).toList());
            failingHandler.batches = new BatchVerifier() {
                @Override
                Set<String> verify(List<IngestMessage> batch) {
                    return Set.of();
                }
            };
            assertEquals(List.of(), failingHandler.handleRequest(event(records), null).getBatchItemFailures());
        }
    }
}
