package dev.flywheel.devnet;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.EncryptionType;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.ResourceInUseException;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * {@code ProofIngest=kinesis} on the devnet, against moto's Kinesis: the stream the template's {@code ProofStream}
 * declares ({@code <stack>-proof-stream}, encrypted with {@code alias/aws/kinesis}), the IoT rule's Kinesis action
 * ({@link #put}: one record per message, partition key = the thing name), and Lambda's Kinesis event source as
 * {@code ProofStreamEventSource} configures it: one poller per shard, one batch at a time (per-device order), up to
 * {@code BatchSize} records gathered within {@code MaximumBatchingWindowInSeconds}, and its checkpoint advanced only past
 * what the handler stored. A partial-batch response resumes at the reported sequence number; a batch whose first record
 * fails is halved ({@code BisectBatchOnFunctionError}) until that record is alone, which is then retried
 * {@code MaximumRetryAttempts} times, reported to the failure queue ({@code ProofStreamFailureQueue}, in Lambda's
 * {@code KinesisBatchInfo} format) and skipped, so it never blocks its shard. (Lambda's own bookkeeping of retries across
 * bisections is not published in that detail; this is the model the docs describe.)
 */
public final class KinesisEventSource implements AutoCloseable {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();
    /** PutRecords' limit per request. */
    static final int PUT_BATCH = 500;

    /** The template's {@code ProofStreamEventSource}: what the pollers do. */
    public record Mapping(int batchSize, Duration window, boolean bisect, int maxRetryAttempts, String startingPosition) {
        static Mapping fromTemplate(Path template) throws IOException {
            JsonNode p = YAML.readTree(template.toFile()).path("Resources").path("ProofStreamEventSource").path("Properties");
            if (p.isMissingNode()) {
                throw new IllegalStateException("template.yaml declares no ProofStreamEventSource");
            }
            return new Mapping(p.path("BatchSize").asInt(100), Duration.ofSeconds(p.path("MaximumBatchingWindowInSeconds").asInt(0)),
                    p.path("BisectBatchOnFunctionError").asBoolean(false), p.path("MaximumRetryAttempts").asInt(-1),
                    p.path("StartingPosition").asText("TRIM_HORIZON"));
        }
    }

    /** One invocation of the handler: records in the batch and how long the handler took. */
    public record Invocation(int records, long nanos) {
    }

    private final KinesisClient kinesis;
    private final SqsClient sqs;
    private final String streamName;
    private final String streamArn;
    private final String failureQueueUrl;
    private final Mapping mapping;
    private final Function<KinesisEvent, StreamsEventResponse> handler;
    private final Consumer<String> log;
    private final List<Thread> pollers = new ArrayList<>();
    private final ConcurrentLinkedQueue<Invocation> invocations = new ConcurrentLinkedQueue<>();
    private final AtomicLong handled = new AtomicLong();
    private final AtomicLong discarded = new AtomicLong();
    private volatile boolean running;

    private KinesisEventSource(KinesisClient kinesis, SqsClient sqs, String streamName, String streamArn, String failureQueueUrl,
                               Mapping mapping, Function<KinesisEvent, StreamsEventResponse> handler, Consumer<String> log) {
        this.kinesis = kinesis;
        this.sqs = sqs;
        this.streamName = streamName;
        this.streamArn = streamArn;
        this.failureQueueUrl = failureQueueUrl;
        this.mapping = mapping;
        this.handler = handler;
        this.log = log;
    }

    /** {@code <stack>-proof-stream}, as CloudFormation-style names go on the devnet ({@link TemplateQueues#kebab}). */
    public static String streamName(String stack) {
        return stack + "-" + TemplateQueues.kebab("ProofStream");
    }

    /**
     * Creates the stream ({@code shards} shards; kept if it exists) and looks up the failure queue the provisioner made
     * from the template (created here if missing); the pollers start with {@link #start()}.
     */
    public static KinesisEventSource open(Path template, String stack, int shards, KinesisClient kinesis, SqsClient sqs,
                                          Function<KinesisEvent, StreamsEventResponse> handler, Consumer<String> log)
            throws IOException, InterruptedException {
        String name = streamName(stack);
        try {
            kinesis.createStream(b -> b.streamName(name).shardCount(shards));
        } catch (ResourceInUseException exists) {
            // a previous host of this stack made it
        }
        for (int i = 0; kinesis.describeStreamSummary(b -> b.streamName(name)).streamDescriptionSummary().streamStatus()
                != StreamStatus.ACTIVE; i++) {
            if (i > 100) {
                throw new IllegalStateException("stream " + name + " did not become ACTIVE");
            }
            Thread.sleep(100);
        }
        var summary = kinesis.describeStreamSummary(b -> b.streamName(name)).streamDescriptionSummary();
        if (summary.encryptionType() != EncryptionType.KMS) {
            kinesis.startStreamEncryption(b -> b.streamName(name).encryptionType(EncryptionType.KMS).keyId("alias/aws/kinesis"));
        }
        String queueName = stack + "-" + TemplateQueues.kebab("ProofStreamFailureQueue");
        String queueUrl;
        try {
            queueUrl = sqs.getQueueUrl(b -> b.queueName(queueName)).queueUrl();
        } catch (QueueDoesNotExistException missing) {
            queueUrl = sqs.createQueue(b -> b.queueName(queueName)).queueUrl();
        }
        return new KinesisEventSource(kinesis, sqs, name, summary.streamARN(), queueUrl, Mapping.fromTemplate(template), handler, log);
    }

    public String streamName() {
        return streamName;
    }

    public String failureQueueUrl() {
        return failureQueueUrl;
    }

    public Mapping mapping() {
        return mapping;
    }

    /** Records the handler stored (not reported failed); a redelivered record counts again. */
    public long handledRecords() {
        return handled.get();
    }

    /** Records given up on and reported to the failure queue. */
    public long discardedRecords() {
        return discarded.get();
    }

    /** Every handler invocation so far (records, nanoseconds). */
    public List<Invocation> invocations() {
        return List.copyOf(invocations);
    }

    /** One poller per shard of the stream. */
    public void start() {
        running = true;
        List<Shard> shards = kinesis.listShards(b -> b.streamName(streamName)).shards();
        for (Shard shard : shards) {
            pollers.add(Thread.ofPlatform().name("kinesis-event-source-" + shard.shardId()).daemon()
                    .start(() -> poll(shard.shardId())));
        }
    }

    /**
     * The IoT rule's Kinesis action for several messages: {@code PutRecords} (the rules engine calls PutRecord once per
     * message; batched here so the devnet keeps up, with the same records and keys).
     *
     * @return per entry, null when stored or the error message (the caller's error action)
     */
    public List<String> put(List<String> partitionKeys, List<byte[]> data) {
        List<PutRecordsRequestEntry> entries = new ArrayList<>(data.size());
        for (int i = 0; i < data.size(); i++) {
            entries.add(PutRecordsRequestEntry.builder().partitionKey(partitionKeys.get(i)).data(SdkBytes.fromByteArray(data.get(i))).build());
        }
        List<String> out = new ArrayList<>(data.size());
        for (int from = 0; from < entries.size(); from += PUT_BATCH) {
            List<PutRecordsRequestEntry> chunk = entries.subList(from, Math.min(entries.size(), from + PUT_BATCH));
            for (PutRecordsResultEntry r : kinesis.putRecords(b -> b.streamName(streamName).records(chunk)).records()) {
                out.add(r.errorCode() == null ? null : r.errorCode() + ": " + r.errorMessage());
            }
        }
        return out;
    }

    /**
     * An iterator replay: every record of every shard from the trim horizon handed to the handler again, in batches of
     * {@code BatchSize}, with the same shard and sequence numbers (as after a lost checkpoint). Failures are not retried.
     *
     * @return how many records were redelivered
     */
    public int replayAll() {
        int replayed = 0;
        for (Shard shard : kinesis.listShards(b -> b.streamName(streamName)).shards()) {
            String iterator = kinesis.getShardIterator(b -> b.streamName(streamName).shardId(shard.shardId())
                    .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
            while (iterator != null) {
                String current = iterator;
                var page = kinesis.getRecords(b -> b.shardIterator(current).limit(mapping.batchSize()));
                if (page.records().isEmpty()) {
                    break;
                }
                invoke(shard.shardId(), page.records());
                replayed += page.records().size();
                iterator = page.nextShardIterator();
            }
        }
        return replayed;
    }

    private void poll(String shardId) {
        String checkpoint = null;       // last sequence number whose record is done; null = the starting position
        int limit = mapping.batchSize();
        int attempts = 0;
        while (running) {
            try {
                List<Record> batch = read(shardId, checkpoint, limit);
                if (batch.isEmpty()) {
                    sleep(200);
                    continue;
                }
                int failedAt = failedIndex(batch, invoke(shardId, batch));
                if (failedAt < 0) {
                    handled.addAndGet(batch.size());
                    checkpoint = batch.getLast().sequenceNumber();
                    limit = mapping.batchSize();
                    attempts = 0;
                    continue;
                }
                if (failedAt > 0) {
                    // Progress: everything before the reported record is done; the batch resumes there.
                    handled.addAndGet(failedAt);
                    checkpoint = batch.get(failedAt - 1).sequenceNumber();
                    limit = mapping.batchSize();
                    attempts = 0;
                    continue;
                }
                if (mapping.bisect() && batch.size() > 1) {
                    limit = (batch.size() + 1) / 2;
                    continue;
                }
                attempts++;
                if (mapping.maxRetryAttempts() >= 0 && attempts > mapping.maxRetryAttempts()) {
                    discard(shardId, batch, attempts);
                    checkpoint = batch.getLast().sequenceNumber();
                    limit = mapping.batchSize();
                    attempts = 0;
                } else {
                    sleep(100L * attempts);
                }
            } catch (RuntimeException e) {
                if (running) {
                    log.accept("kinesis event source " + shardId + ": " + e);
                    sleep(500);
                }
            }
        }
    }

    /** Up to {@code limit} records after the checkpoint, gathered for at most the batching window after the first. */
    private List<Record> read(String shardId, String checkpoint, int limit) {
        String iterator = kinesis.getShardIterator(b -> {
            b.streamName(streamName).shardId(shardId);
            if (checkpoint == null) {
                b.shardIteratorType(ShardIteratorType.fromValue(mapping.startingPosition()));
            } else {
                b.shardIteratorType(ShardIteratorType.AFTER_SEQUENCE_NUMBER).startingSequenceNumber(checkpoint);
            }
        }).shardIterator();
        List<Record> batch = new ArrayList<>();
        long windowEnd = 0;
        while (iterator != null && batch.size() < limit && running) {
            String current = iterator;
            int want = limit - batch.size();
            var page = kinesis.getRecords(b -> b.shardIterator(current).limit(want));
            batch.addAll(page.records());
            iterator = page.nextShardIterator();
            if (batch.isEmpty()) {
                return batch;
            }
            if (windowEnd == 0) {
                windowEnd = System.nanoTime() + mapping.window().toNanos();
            }
            if (batch.size() >= limit || System.nanoTime() >= windowEnd) {
                break;
            }
            if (page.records().isEmpty()) {
                sleep(50);
            }
        }
        return batch;
    }

    /** The handler's answer: the sequence number it reported first, "" for a function error, null for none. */
    private String invoke(String shardId, List<Record> records) {
        KinesisEvent event = new KinesisEvent();
        List<KinesisEvent.KinesisEventRecord> out = new ArrayList<>(records.size());
        for (Record r : records) {
            KinesisEvent.Record k = new KinesisEvent.Record();
            k.setKinesisSchemaVersion("1.0");
            k.setPartitionKey(r.partitionKey());
            k.setSequenceNumber(r.sequenceNumber());
            k.setData(r.data().asByteBuffer());
            k.setApproximateArrivalTimestamp(r.approximateArrivalTimestamp() == null ? new Date()
                    : Date.from(r.approximateArrivalTimestamp()));
            KinesisEvent.KinesisEventRecord e = new KinesisEvent.KinesisEventRecord();
            e.setKinesis(k);
            e.setEventSource("aws:kinesis");
            e.setEventName("aws:kinesis:record");
            e.setEventVersion("1.0");
            e.setEventID(shardId + ":" + r.sequenceNumber());
            e.setEventSourceARN(streamArn);
            e.setAwsRegion("us-east-1");
            out.add(e);
        }
        event.setRecords(out);
        long start = System.nanoTime();
        try {
            StreamsEventResponse response = handler.apply(event);
            invocations.add(new Invocation(records.size(), System.nanoTime() - start));
            var failures = response == null || response.getBatchItemFailures() == null ? List.<StreamsEventResponse.BatchItemFailure>of()
                    : response.getBatchItemFailures();
            return failures.isEmpty() ? null : String.valueOf(failures.getFirst().getItemIdentifier());
        } catch (RuntimeException e) {
            invocations.add(new Invocation(records.size(), System.nanoTime() - start));
            log.accept("verifier invocation failed on " + shardId + ", the batch will be retried: " + e);
            return "";
        }
    }

    /** -1 when nothing failed; else the index the batch resumes at (0 for a function error or an unknown identifier). */
    private static int failedIndex(List<Record> batch, String failedSequence) {
        if (failedSequence == null) {
            return -1;
        }
        for (int i = 0; i < batch.size(); i++) {
            if (batch.get(i).sequenceNumber().equals(failedSequence)) {
                return i;
            }
        }
        return 0;
    }

    /** Lambda's on-failure record for a stream: where the records are, not their data (they stay in the stream). */
    private void discard(String shardId, List<Record> batch, int attempts) {
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("shardId", shardId);
        info.put("startSequenceNumber", batch.getFirst().sequenceNumber());
        info.put("endSequenceNumber", batch.getLast().sequenceNumber());
        info.put("approximateArrivalOfFirstRecord", String.valueOf(batch.getFirst().approximateArrivalTimestamp()));
        info.put("approximateArrivalOfLastRecord", String.valueOf(batch.getLast().approximateArrivalTimestamp()));
        info.put("batchSize", batch.size());
        info.put("streamArn", streamArn);
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("requestContext", Map.of("requestId", UUID.randomUUID().toString(), "functionArn",
                "arn:aws:lambda:us-east-1:123456789012:function:proof-verifier:live", "condition", "RetryAttemptsExhausted",
                "approximateInvokeCount", attempts));
        record.put("responseContext", Map.of("statusCode", 200, "executedVersion", "live", "functionError", "none"));
        record.put("version", "1.0");
        record.put("timestamp", Instant.now().toString());
        record.put("KinesisBatchInfo", info);
        try {
            String body = JSON.writeValueAsString(record);
            sqs.sendMessage(b -> b.queueUrl(failureQueueUrl).messageBody(body));
            discarded.addAndGet(batch.size());
            log.accept("kinesis event source gave up on " + shardId + " " + info.get("startSequenceNumber") + ".."
                    + info.get("endSequenceNumber") + " after " + attempts + " attempts; reported to the failure queue");
        } catch (Exception e) {
            // Lambda keeps retrying when the destination fails; here the poller retries the record from the checkpoint.
            throw new IllegalStateException("failure destination not written: " + e, e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running = false;
        for (Thread t : pollers) {
            try {
                t.join(3000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
