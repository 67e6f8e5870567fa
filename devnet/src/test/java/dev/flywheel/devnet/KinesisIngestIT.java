package dev.flywheel.devnet;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flywheel.core.crypto.DeviceSigningKey;
import dev.flywheel.core.crypto.SignatureScheme;
import dev.flywheel.core.epoch.EpochClock;
import dev.flywheel.core.proof.DeviceRecord;
import dev.flywheel.core.proof.DeviceStatus;
import dev.flywheel.core.proof.ProofCodec;
import dev.flywheel.core.types.sensor.SensorReading;
import dev.flywheel.device.pki.LocalCertificateAuthority;
import dev.flywheel.device.sim.FleetMix;
import dev.flywheel.device.sim.FleetReport;
import dev.flywheel.device.sim.FleetSimulator;
import dev.flywheel.device.sim.RunOptions;
import dev.flywheel.device.sim.SimulatedDevice;
import dev.flywheel.dynamodb.DynamoDeviceRegistry;
import dev.flywheel.dynamodb.DynamoEpochLedger;
import dev.flywheel.dynamodb.DynamoProofLedger;
import dev.flywheel.dynamodb.TableNames;
import dev.flywheel.dynamodb.TemplateTables;
import dev.flywheel.verifier.KinesisProofVerifierHandler;
import dev.flywheel.verifier.ProofVerifierHandler;
import io.micronaut.context.ApplicationContext;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;
import software.amazon.awssdk.services.sqs.model.Message;

import java.math.BigInteger;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ProofIngest=kinesis} end to end on the real servers: a fleet publishing over MQTT/mTLS (Mosquitto) -> the rule's
 * Kinesis action -> moto's Kinesis (two shards, keyed by device) -> the host's Kinesis event source -> the verifier's
 * Kinesis entry point -> the ledger on moto. Every delivered message gets exactly one verdict; an iterator replay of the
 * whole stream and a re-put of a delivered record credit nothing twice; a poison record (every DynamoDB request naming
 * its device fails, through a {@link FaultProxy}) is bisected out, retried, reported to the failure queue and skipped,
 * and a proof behind it in the same shard is still verified. The poison record and the one behind it are put on the
 * stream directly, as the rule's action would put them (the devnet cannot make MQTT choose a shard).
 *
 * <p>And what the cost model needs: Lambda milliseconds per batch of 100 through the Kinesis handler vs the SQS handler,
 * in the same run, on the same tables and the same kind of batches.
 */
class KinesisIngestIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int DEVICES = Integer.getInteger("flywheel.kinesis.devices", 24);
    private static final int PROOFS = Integer.getInteger("flywheel.kinesis.proofs", 5);
    private static final long EPOCH_SECONDS = 3600;
    private static final List<String> OWNERS = List.of("0x00000000000000000000000000000000000c1e51");
    private static final SecureRandom RANDOM = new SecureRandom();

    @Test
    void aFleetThroughKinesisGetsOneVerdictPerMessageReplaysCreditNothingTwiceAndAPoisonRecordIsSkipped() throws Exception {
        DevnetConfig devnet = DevnetFixture.freshStack("it-kin-");
        String previousEndpoint = System.getProperty("aws.endpointUrl");
        try (DevnetFixture.Clients aws = DevnetFixture.Clients.open();
             FaultProxy proxy = new FaultProxy(URI.create(System.getenv("AWS_ENDPOINT_URL")));
             KinesisClient kinesis = kinesisClient()) {
            Instant genesis = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            EpochClock clock = new EpochClock(genesis, Duration.ofSeconds(EPOCH_SECONDS));
            var provisioned = new DevnetProvisioner(devnet, aws.dynamo(), aws.sqs(), aws.secrets()).provision(clock);
            Path certs = Files.createDirectories(devnet.certsDir().resolve(devnet.stackName()));
            var ca = LocalCertificateAuthority.load(devnet.caCert(), devnet.caKey());
            List<SimulatedDevice> fleet = FleetSimulator.provision(DEVICES, FleetMix.DEMO, ca, certs, new SecureRandom(), OWNERS);
            var registry = new DynamoDeviceRegistry(aws.dynamo(), provisioned.tables().devices());
            for (SimulatedDevice d : fleet) {
                registry.register(new DeviceRecord(d.deviceId(), d.signingKey().scheme(), d.signingKey().publicKey(),
                        d.ownerAddress(), DeviceStatus.ACTIVE, d.h3Cell()), "it", Instant.now());
            }
            String suffix = UUID.randomUUID().toString().substring(0, 8);
            String poison = "poison-" + suffix;
            DeviceSigningKey poisonKey = register(registry, poison);

            int port = HostProperties.freePort();
            Map<String, Object> properties = new LinkedHashMap<>(HostProperties.forStack(devnet, provisioned, genesis, EPOCH_SECONDS, port));
            properties.put(LocalFunctionHost.INGEST_PROPERTY, "kinesis");
            properties.put("flywheel.devnet.kinesis.shards", 2);
            var settings = new LocalFunctionHost.Settings(properties, provisioned.queueUrl(), provisioned.ingestErrorQueueUrl(),
                    Duration.ofMinutes(10), Duration.ofMinutes(10), port);
            // The host's functions reach moto through the proxy (read when their clients are built); this test's do not.
            System.setProperty("aws.endpointUrl", proxy.url());
            proxy.failDynamoRequestsNaming(poison);
            var proofs = new DynamoProofLedger(aws.dynamo(), provisioned.tables(), clock, Duration.ofDays(1));
            try (var host = new LocalFunctionHost(devnet, settings, aws.sqs(), msg -> System.err.println("[host] " + msg))) {
                host.start();
                restore(previousEndpoint);
                KinesisEventSource source = host.streamEventSource();
                assertTrue(source != null, "the host plays the Kinesis event source");
                // The event source as template.yaml's ProofStreamEventSource configures Lambda's.
                assertEquals(new KinesisEventSource.Mapping(100, Duration.ofSeconds(1), true, 5, "TRIM_HORIZON"), source.mapping());
                String stream = source.streamName();
                assertEquals("KMS", kinesis.describeStreamSummary(b -> b.streamName(stream)).streamDescriptionSummary()
                        .encryptionTypeAsString(), "encrypted as the template's ProofStream");
                List<Shard> shards = kinesis.listShards(b -> b.streamName(stream)).shards();
                assertEquals(2, shards.size());

                // The poison record, then a healthy device's proof keyed into the same shard behind it.
                Instant now = Instant.now();
                Shard poisonShard = shardOf(shards, poison);
                String follower = followerIn(shards, poisonShard, suffix);
                DeviceSigningKey followerKey = register(registry, follower);
                assertEquals(java.util.Collections.singletonList(null), source.put(List.of(poison),
                        List.of(ruleOutput(poison, proof(poison, poisonKey, now), now))));
                assertEquals(java.util.Collections.singletonList(null), source.put(List.of(follower),
                        List.of(ruleOutput(follower, proof(follower, followerKey, now), now))));

                LoadRun.Timeline published = new LoadRun.Timeline();
                FleetReport report = FleetSimulator.run(fleet, devnet.mqtt(), PROOFS, published,
                        RunOptions.defaults().withReceiptGrace(Duration.ofSeconds(2)));
                System.out.println("[kinesis] fleet: " + report.summary());
                long expected = report.expectedVerdicts() + 1;            // + the follower; the poison gets none
                DynamoProofLedger.VerdictCounts counts = awaitVerdicts(proofs, expected, Duration.ofSeconds(180));
                assertEquals(expected, counts.accepted() + counts.rejected(), "one verdict per delivered message: " + counts);
                awaitTrue(Duration.ofSeconds(120), () -> source.discardedRecords() >= 1);

                // The poison record: reported with its position (not its data), alone; readable there from the stream.
                List<Message> failures = aws.sqs().receiveMessage(b -> b.queueUrl(source.failureQueueUrl()).maxNumberOfMessages(10)
                        .waitTimeSeconds(2)).messages();
                assertEquals(1, failures.size(), "one failure record: " + failures);
                JsonNode info = JSON.readTree(failures.getFirst().body()).path("KinesisBatchInfo");
                assertEquals(poisonShard.shardId(), info.path("shardId").asText());
                assertEquals(1, info.path("batchSize").asInt(), "bisected down to the poison record alone: " + info);
                assertEquals(info.path("startSequenceNumber").asText(), info.path("endSequenceNumber").asText());
                String at = kinesis.getShardIterator(b -> b.streamName(stream).shardId(poisonShard.shardId())
                        .shardIteratorType(ShardIteratorType.AT_SEQUENCE_NUMBER)
                        .startingSequenceNumber(info.path("startSequenceNumber").asText())).shardIterator();
                var record = kinesis.getRecords(b -> b.shardIterator(at).limit(1)).records().getFirst();
                assertEquals(poison, record.partitionKey(), "the reported position holds the poison record");
                // Not blocking its shard: the proof behind it was verified.
                List<DynamoProofLedger.VerdictRecord> followerVerdicts = proofs.verdictsForDevice(follower, 10);
                assertEquals(List.of("accepted"), followerVerdicts.stream().map(DynamoProofLedger.VerdictRecord::outcome).toList());
                assertEquals(List.of(), proofs.verdictsForDevice(poison, 10), "the poison record has no verdict");

                Map<String, Integer> publishedByProof = new HashMap<>(published.publishedByProof);
                publishedByProof.put(followerVerdicts.getFirst().proofId(), 1);
                var epochs = new DynamoEpochLedger(aws.dynamo(), provisioned.tables(), proofs);
                Accounting.Report before = Accounting.check(publishedByProof, proofs, epochs, List.of());
                System.out.println("[kinesis] " + before.summary());
                assertTrue(before.ok(), before.summary() + " " + before.problems());
                assertEquals(0, before.redelivered());

                // An iterator replay: every record of both shards handed to the verifier again, same sequence numbers.
                int replayed = host.redeliverAll();
                assertTrue(replayed >= expected, "replayed " + replayed);
                assertEquals(counts, proofs.countVerdicts(), "a replayed record changes nothing");
                // The rule's action retried: a delivered record of a fleet device put again, under a new sequence number.
                java.util.Set<String> fleetIds = new java.util.HashSet<>(fleet.stream().map(SimulatedDevice::deviceId).toList());
                var first = kinesis.getRecords(b -> b.shardIterator(kinesis.getShardIterator(i -> i.streamName(stream)
                        .shardId(shards.getFirst().shardId()).shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator())
                        .limit(100)).records().stream().filter(r -> fleetIds.contains(r.partitionKey())).findFirst().orElseThrow();
                kinesis.putRecord(b -> b.streamName(stream).partitionKey(first.partitionKey()).data(SdkBytes.fromByteArray(first.data().asByteArray())));
                DynamoProofLedger.VerdictCounts after = awaitVerdicts(proofs, expected + 1, Duration.ofSeconds(60));
                assertEquals(counts.accepted(), after.accepted(), "the re-put record is not credited again: " + after);
                assertEquals(counts.rejected() + 1, after.rejected(), after.toString());
                Accounting.Report books = Accounting.check(publishedByProof, proofs, epochs, List.of());
                System.out.println("[kinesis] after replay of " + replayed + " records and one re-put: " + books.summary());
                assertTrue(books.ok(), books.summary() + " " + books.problems());
                assertEquals(1, books.redelivered(), "the re-put copy, rejected");

                List<KinesisEventSource.Invocation> calls = source.invocations();
                System.out.printf("[kinesis] event source: %d invocations, %.1f records per batch, %.1f ms per invocation, "
                                + "%d records discarded, %d faults injected%n", calls.size(),
                        calls.stream().mapToInt(KinesisEventSource.Invocation::records).average().orElse(0),
                        calls.stream().mapToLong(KinesisEventSource.Invocation::nanos).average().orElse(0) / 1e6,
                        source.discardedRecords(), proxy.failedByName());
            }
        } finally {
            restore(previousEndpoint);
        }
    }

    /**
     * Lambda milliseconds per batch of 100, Kinesis entry point vs SQS entry point: both handlers on the same tables, fed
     * alternately with batches of 100 first proofs... of two halves of the same fleet (each device's proofs in order), the
     * first round of each a warm-up. Prints both and their ratio; checks every proof was accepted once.
     */
    @Test
    void lambdaMillisecondsPerBatchKinesisVsSqs() throws Exception {
        int perHandler = Integer.getInteger("flywheel.kinesis.bench-devices", 100);
        int rounds = Integer.getInteger("flywheel.kinesis.bench-rounds", 8);
        DevnetConfig devnet = DevnetConfig.fromEnvironment(System.getenv());
        String stack = "it-kinbench-" + System.nanoTime();
        try (DevnetFixture.Clients aws = DevnetFixture.Clients.open()) {
            TemplateTables.createAll(aws.dynamo(), devnet.template(), stack);
            TableNames tables = TableNames.forStack(stack);
            Instant genesis = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(60);
            Map<String, Object> properties = new LinkedHashMap<>();
            tables.asEnvironment().forEach((k, v) -> properties.put(k.toLowerCase().replace('_', '.'), v));
            properties.put("flywheel.epoch.genesis", genesis.toString());
            properties.put("flywheel.epoch.seconds", EPOCH_SECONDS);
            properties.put("flywheel.metrics.emf", false);
            var registry = new DynamoDeviceRegistry(aws.dynamo(), tables.devices());
            Map<String, DeviceSigningKey> sqsFleet = new LinkedHashMap<>();
            Map<String, DeviceSigningKey> kinesisFleet = new LinkedHashMap<>();
            for (int i = 0; i < perHandler; i++) {
                sqsFleet.put("bench-s-" + i + "-" + stack.hashCode(), null);
                kinesisFleet.put("bench-k-" + i + "-" + stack.hashCode(), null);
            }
            sqsFleet.replaceAll((id, k) -> register(registry, id));
            kinesisFleet.replaceAll((id, k) -> register(registry, id));
            long[] sqsNanos = new long[rounds];
            long[] kinesisNanos = new long[rounds];
            AtomicLong sequence = new AtomicLong(1_000);
            try (var sqsHandler = new ProofVerifierHandler(ApplicationContext.builder().properties(properties));
                 var kinesisHandler = new KinesisProofVerifierHandler(ApplicationContext.builder().properties(properties))) {
                for (int round = 0; round <= rounds; round++) {
                    Instant now = Instant.now();
                    List<SQSEvent.SQSMessage> messages = new ArrayList<>();
                    for (var d : sqsFleet.entrySet()) {
                        SQSEvent.SQSMessage m = new SQSEvent.SQSMessage();
                        m.setMessageId(UUID.randomUUID().toString());
                        m.setBody(new String(ruleOutput(d.getKey(), proof(d.getKey(), d.getValue(), round + 1, now), now), StandardCharsets.UTF_8));
                        m.setEventSource("aws:sqs");
                        messages.add(m);
                    }
                    List<KinesisEvent.KinesisEventRecord> records = new ArrayList<>();
                    for (var d : kinesisFleet.entrySet()) {
                        String seq = Long.toString(sequence.incrementAndGet());
                        KinesisEvent.Record k = new KinesisEvent.Record();
                        k.setPartitionKey(d.getKey());
                        k.setSequenceNumber(seq);
                        k.setData(ByteBuffer.wrap(ruleOutput(d.getKey(), proof(d.getKey(), d.getValue(), round + 1, now), now)));
                        k.setApproximateArrivalTimestamp(new Date());
                        KinesisEvent.KinesisEventRecord r = new KinesisEvent.KinesisEventRecord();
                        r.setKinesis(k);
                        r.setEventID("shardId-000000000000:" + seq);
                        r.setEventSource("aws:kinesis");
                        records.add(r);
                    }
                    SQSEvent sqsEvent = new SQSEvent();
                    sqsEvent.setRecords(messages);
                    KinesisEvent kinesisEvent = new KinesisEvent();
                    kinesisEvent.setRecords(records);
                    // Alternate which goes first, so neither always runs on the other's warm caches.
                    long s;
                    long k;
                    if (round % 2 == 0) {
                        s = timed(() -> assertEquals(List.of(), sqsHandler.handleRequest(sqsEvent, null).getBatchItemFailures()));
                        k = timed(() -> assertEquals(List.of(), kinesisHandler.handleRequest(kinesisEvent, null).getBatchItemFailures()));
                    } else {
                        k = timed(() -> assertEquals(List.of(), kinesisHandler.handleRequest(kinesisEvent, null).getBatchItemFailures()));
                        s = timed(() -> assertEquals(List.of(), sqsHandler.handleRequest(sqsEvent, null).getBatchItemFailures()));
                    }
                    if (round > 0) {           // round 0 warms both up
                        sqsNanos[round - 1] = s;
                        kinesisNanos[round - 1] = k;
                    }
                }
            }
            var ledger = new DynamoProofLedger(aws.dynamo(), tables, new EpochClock(genesis, Duration.ofSeconds(EPOCH_SECONDS)),
                    Duration.ofDays(1));
            var counts = ledger.countVerdicts();
            assertEquals(2L * perHandler * (rounds + 1), counts.accepted(), "every proof accepted once: " + counts);
            assertEquals(0, counts.rejected(), counts.toString());
            double sqsMs = java.util.Arrays.stream(sqsNanos).average().orElseThrow() / 1e6;
            double kinesisMs = java.util.Arrays.stream(kinesisNanos).average().orElseThrow() / 1e6;
            System.out.printf("[kinesis-vs-sqs] batches of %d, %d rounds after a warm-up, same run, moto: SQS handler %.1f ms per batch, "
                            + "Kinesis handler %.1f ms per batch, ratio Kinesis/SQS %.2f (medians %.1f / %.1f ms)%n", perHandler, rounds,
                    sqsMs, kinesisMs, kinesisMs / sqsMs, median(sqsNanos) / 1e6, median(kinesisNanos) / 1e6);
        }
    }

    private static long timed(Runnable r) {
        long t = System.nanoTime();
        r.run();
        return System.nanoTime() - t;
    }

    private static double median(long[] values) {
        long[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        return sorted.length % 2 == 1 ? sorted[sorted.length / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2.0;
    }

    private static KinesisClient kinesisClient() {
        System.setProperty("aws.cborEnabled", "false");   // moto's Kinesis speaks JSON only
        return KinesisClient.builder().httpClient(UrlConnectionHttpClient.create()).build();
    }

    private static DeviceSigningKey register(DynamoDeviceRegistry registry, String id) {
        DeviceSigningKey key = DeviceSigningKey.generate(SignatureScheme.ED25519, RANDOM);
        assertTrue(registry.register(new DeviceRecord(id, SignatureScheme.ED25519, key.publicKey(), OWNERS.getFirst(),
                DeviceStatus.ACTIVE, "8a2a1072b59ffff"), "it", Instant.now()));
        return key;
    }

    private static byte[] proof(String id, DeviceSigningKey key, Instant at) {
        return proof(id, key, 1, at);
    }

    private static byte[] proof(String id, DeviceSigningKey key, long seq, Instant at) {
        return ProofCodec.encode(id, seq, at, "8a2a1072b59ffff", new SensorReading("temperature", 20 + seq / 100.0, "celsius"), key);
    }

    /** The rule's SQL output for a publish on the device's proofs topic: what the Kinesis action puts as the data. */
    private static byte[] ruleOutput(String thing, byte[] payload, Instant receivedAt) throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("payload", Base64.getEncoder().encodeToString(payload));
        body.put("thing", thing);
        body.put("topic", "flywheel/v1/" + thing + "/proofs");
        body.put("receivedAt", receivedAt.toEpochMilli());
        return JSON.writeValueAsBytes(body);
    }

    /** The shard whose hash key range holds MD5(partition key), as Kinesis (and moto) map keys to shards. */
    private static Shard shardOf(List<Shard> shards, String partitionKey) throws Exception {
        BigInteger hash = new BigInteger(1, MessageDigest.getInstance("MD5").digest(partitionKey.getBytes(StandardCharsets.UTF_8)));
        for (Shard s : shards) {
            if (hash.compareTo(new BigInteger(s.hashKeyRange().startingHashKey())) >= 0
                    && hash.compareTo(new BigInteger(s.hashKeyRange().endingHashKey())) <= 0) {
                return s;
            }
        }
        throw new IllegalStateException("no shard holds " + partitionKey);
    }

    private static String followerIn(List<Shard> shards, Shard shard, String suffix) throws Exception {
        for (int i = 0; ; i++) {
            String id = "follower-" + i + "-" + suffix;
            if (shardOf(shards, id).shardId().equals(shard.shardId())) {
                return id;
            }
        }
    }

    private static DynamoProofLedger.VerdictCounts awaitVerdicts(DynamoProofLedger proofs, long expected, Duration timeout)
            throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        DynamoProofLedger.VerdictCounts counts = proofs.countVerdicts();
        while (counts.accepted() + counts.rejected() < expected && Instant.now().isBefore(deadline)) {
            Thread.sleep(1000);
            counts = proofs.countVerdicts();
        }
        return counts;
    }

    private static void awaitTrue(Duration timeout, java.util.function.BooleanSupplier condition) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (!condition.getAsBoolean() && Instant.now().isBefore(deadline)) {
            Thread.sleep(500);
        }
        assertTrue(condition.getAsBoolean(), "condition not met within " + timeout);
    }

    private static void restore(String previous) {
        if (previous == null) {
            System.clearProperty("aws.endpointUrl");
        } else {
            System.setProperty("aws.endpointUrl", previous);
        }
    }
}
