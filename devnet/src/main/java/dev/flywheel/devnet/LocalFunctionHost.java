package dev.flywheel.devnet;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.flywheel.claims.ClaimsApiHandler;
import dev.flywheel.registry.DeviceRegistryHandler;
import dev.flywheel.device.mqtt.DeviceClient;
import dev.flywheel.device.mqtt.Topics;
import dev.flywheel.epochs.EpochCloserHandler;
import dev.flywheel.networkentropy.ChallengeIssuer;
import dev.flywheel.networkentropy.EntropyPublication;
import dev.flywheel.networkentropy.NetworkEntropyHandler;
import dev.flywheel.settler.SettlerHandler;
import dev.flywheel.verifier.KinesisProofVerifierHandler;
import dev.flywheel.verifier.ProofVerifierHandler;
import io.micronaut.context.ApplicationContext;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Plays locally the parts AWS plays around the functions, so the same handler classes run unchanged:
 * <ul>
 *   <li>the IoT topic rule: a broker subscription on {@code flywheel/v1/+/proofs} (as the rules engine
 *       identity) that writes exactly the rule's SQL output to the proof queue (off the MQTT client's event loop, in
 *       {@code SendMessageBatch} requests of up to 10: the event loop is shared by every MQTT connection in this JVM,
 *       and one blocking SQS call on it stalls them all), and, when that action fails,
 *       an error record in IoT Core's error-action format to the ingest error queue (the template's
 *       {@code ErrorAction}), so no publish the broker acknowledged is ever lost without a trace;</li>
 *   <li>with {@code flywheel.devnet.ingest=kinesis} (function property, system property, or environment variable
 *       {@code FLYWHEEL_DEVNET_INGEST}; the template's {@code ProofIngest=kinesis}) the rule's action puts each message on
 *       the proof stream keyed by its thing, and {@link KinesisEventSource} plays Lambda's Kinesis event source for the
 *       verifier's Kinesis entry point instead of the SQS pollers below;</li>
 *   <li>the SQS event source: {@value #DEFAULT_POLLERS} pollers (Lambda's concurrent executions) each gather up to the
 *       template's {@code BatchSize} (100) within its {@code MaximumBatchingWindowInSeconds} (1 s), invoke the verifier,
 *       and delete what the handler did not report as failed (failed ones reappear and end in the DLQ after 5 receives);</li>
 *   <li>EventBridge Scheduler: runs the epoch closer (which first evaluates closed proof-of-coverage windows) and
 *       the settler on a fixed rate;</li>
 *   <li>API Gateway: {@code GET /claims/{address}} and the explorer's {@code GET /network/...} over HTTP to the
 *       claims handler, and {@code /devices...}
 *       to the device-registry handler (no IAM authorizer locally);</li>
 *   <li>IoT Core's HTTPS data plane: {@code POST /topics/{topic}?qos=1}, the call the verifier's receipts
 *       use, forwarded to the broker as the rules-engine identity (receipt topics only; no SigV4 check).</li>
 * </ul>
 */
public final class LocalFunctionHost implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param errorQueueUrl the rule's error action target (template: {@code IngestErrorQueue}); null only in
     *                      tests that do not exercise failed actions (a failed action is then logged only)
     */
    public record Settings(Map<String, Object> functionProperties, String queueUrl, String errorQueueUrl,
                           Duration closerRate, Duration settlerRate, int httpPort) {
        public Settings(Map<String, Object> functionProperties, String queueUrl, Duration closerRate,
                        Duration settlerRate, int httpPort) {
            this(functionProperties, queueUrl, null, closerRate, settlerRate, httpPort);
        }
    }

    /** {@code flywheel.devnet.ingest}: which ingest the host plays, as the template's ProofIngest parameter. */
    public static final String INGEST_PROPERTY = "flywheel.devnet.ingest";
    /** Shards of the devnet's proof stream in kinesis mode (property {@code flywheel.devnet.kinesis.shards}). */
    static final int DEFAULT_SHARDS = 2;

    /** Concurrent verifier invocations (property {@code flywheel.devnet.event-source.pollers}). */
    static final int DEFAULT_POLLERS = 2;
    /** The template's {@code BatchSize} and {@code MaximumBatchingWindowInSeconds} for the proof queue. */
    static final int DEFAULT_BATCH_SIZE = 100;
    static final Duration BATCHING_WINDOW = Duration.ofSeconds(1);
    /** SQS's limit per {@code SendMessageBatch}/{@code DeleteMessageBatch}/{@code ReceiveMessage}. */
    private static final int SQS_BATCH = 10;
    /**
     * Most messages the bridge keeps in the proof queue at once (sent, not yet deleted; property
     * {@code flywheel.devnet.event-source.queue-depth}); the rest wait in the bridge. moto's {@code ReceiveMessage} walks
     * every message of the queue on every call, about 0.65 ms per message (measured on an idle moto: 113 ms per receive
     * at depth 100, 541 ms at 800, 1.7 s at 2,000), so the depth bounds what moto's queue can pass: at
     * 800 (the default: four batches per poller) a receive costs moto about half a second. SQS has no such cost.
     */
    private int queueDepthLimit;

    /** A publish the rule matched, waiting for its SQS action; {@code receivedAt} is the rule's {@code timestamp()}. */
    private record RuleMatch(String topic, byte[] payload, long receivedAt) {
    }

    /** The rule's name in error records, as the template derives it for a stack named {@code flywheel-devnet}. */
    static final String RULE_NAME = "flywheel_devnet_proof_ingest";

    private final DevnetConfig devnet;
    private final Settings settings;
    private final SqsClient sqs;
    private final Consumer<String> log;
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(3);
    private final AtomicLong forwarded = new AtomicLong();
    private final AtomicLong failedActions = new AtomicLong();
    private final AtomicLong errorRecords = new AtomicLong();
    private final AtomicLong invocations = new AtomicLong();
    /** Messages the verifier handled without reporting them failed (their verdicts are stored), counted in memory. */
    private final AtomicLong handled = new AtomicLong();
    /** Fault injection: batches whose verifier "dies" half way ({@link #crashNextBatches}). */
    private final AtomicInteger crashes = new AtomicInteger();
    /**
     * Serialises the writes to the proof queue. moto's {@code DeleteMessage} rebuilds the queue's message list from a
     * copy, so a {@code SendMessage} running at the same time is silently lost: the demo's accounting found 2 of 2,000
     * proofs without a verdict, both sent while a batch was being deleted. SQS has no such race; the lock is the
     * stand-in's, and costs nothing there since moto serves one request at a time anyway.
     */
    private final Object queueWrites = new Object();
    /** Sent to the proof queue by the bridge and not yet deleted by the event source. */
    private final AtomicLong inQueue = new AtomicLong();
    /** The last {@value #JOURNAL_LIMIT} messages handed to the verifier, for {@link #redeliverAll()}. */
    private final java.util.Deque<SQSEvent.SQSMessage> journal = new java.util.concurrent.ConcurrentLinkedDeque<>();
    private static final int JOURNAL_LIMIT = 10_000;
    private final AtomicInteger journalSize = new AtomicInteger();
    private volatile boolean running;
    private ProofVerifierHandler verifier;
    private KinesisProofVerifierHandler streamVerifier;
    private software.amazon.awssdk.services.kinesis.KinesisClient kinesis;
    private KinesisEventSource stream;
    private EpochCloserHandler closer;
    private SettlerHandler settler;
    private ClaimsApiHandler claims;
    private NetworkEntropyHandler entropy;
    private DeviceRegistryHandler deviceRegistry;
    private DeviceClient rulesEngine;
    private HttpServer http;
    private final List<Thread> pollers = new ArrayList<>();
    private final java.util.concurrent.BlockingQueue<RuleMatch> ruleActions = new java.util.concurrent.LinkedBlockingQueue<>();
    private Thread ruleForwarder;

    public LocalFunctionHost(DevnetConfig devnet, Settings settings, SqsClient sqs, Consumer<String> log) {
        this.devnet = devnet;
        this.settings = settings;
        this.sqs = sqs;
        this.log = log;
    }

    public void start() throws IOException {
        if (kinesisIngest()) {
            startStream();
        } else {
            verifier = new ProofVerifierHandler(context());
        }
        closer = new EpochCloserHandler(context());
        settler = new SettlerHandler(context());
        claims = new ClaimsApiHandler(context());
        deviceRegistry = new DeviceRegistryHandler(deviceRegistryContext());
        running = true;

        rulesEngine = DeviceClient.builder("flywheel-rules-engine", devnet.rulesEngineCert(), devnet.rulesEngineKey(), devnet.mqtt())
                // A persistent session of its own: a host that resumed an earlier host's session (same pid: pids
                // wrap at 32768 here) was handed the proofs published after that host stopped.
                .clientId("flywheel-rules-engine-" + java.util.UUID.randomUUID())
                .build();
        rulesEngine.connect();
        // The rule's topic filter from template.yaml (ProofIngestRule's FROM), not a copy of it.
        rulesEngine.subscribe(TemplateQueues.ingestRule(devnet.template()).topicFilter(),
                message -> forwardAsTopicRule(message.topic(), message.payload())).join();

        int sqsPollers = intProperty("flywheel.devnet.event-source.pollers", DEFAULT_POLLERS);
        queueDepthLimit = intProperty("flywheel.devnet.event-source.queue-depth",
                4 * sqsPollers * intProperty("flywheel.devnet.event-source.batch-size", DEFAULT_BATCH_SIZE));
        ruleForwarder = Thread.ofPlatform().name("rule-sqs-action").daemon().start(this::forwardRuleActions);
        int pollerCount = stream != null ? 0 : sqsPollers;
        for (int i = 0; i < pollerCount; i++) {
            received.add(new java.util.concurrent.LinkedBlockingQueue<>());
        }
        for (int i = 0; i < pollerCount; i++) {
            final int lane = i;
            pollers.add(Thread.ofPlatform().name("sqs-receiver-" + i).daemon().start(this::receiveMessages));
            pollers.add(Thread.ofPlatform().name("sqs-event-source-" + i).daemon().start(() -> pollQueue(lane)));
        }
        scheduler.scheduleWithFixedDelay(() -> invokeScheduled("epoch-closer", () -> closer.handleRequest(Map.of(),
                LocalLambdaContext.forInvocation("epoch-closer", 300_000))), 0, settings.closerRate().toMillis(), TimeUnit.MILLISECONDS);
        scheduler.scheduleWithFixedDelay(() -> invokeScheduled("settler", () -> settler.handleRequest(Map.of(),
                LocalLambdaContext.forInvocation("settler", 300_000))), 0, settings.settlerRate().toMillis(), TimeUnit.MILLISECONDS);
        startEntropySchedule();

        http = HttpServer.create(new InetSocketAddress("127.0.0.1", settings.httpPort()), 0);
        http.createContext("/claims/", this::serveClaims);
        // The explorer's JSON endpoints: the same claims function, as the template's /network/* routes.
        http.createContext("/network/", this::serveExplorerApi);
        // One function serves both the onboarding routes and the operator's denylist routes.
        LocalHttpRoute registryRoute = new LocalHttpRoute(deviceRegistry,
                () -> LocalLambdaContext.forInvocation("device-registry", 20_000));
        http.createContext("/devices", registryRoute);
        http.createContext("/denylist", registryRoute);
        http.createContext("/topics/", this::serveDataPlanePublish);
        // Receipts of one batch arrive concurrently; the default executor would serve them one at a time.
        http.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        http.start();
    }

    /** True when the host plays {@code ProofIngest=kinesis} ({@link #INGEST_PROPERTY}; default sqs). */
    public boolean kinesisIngest() {
        Object value = settings.functionProperties().get(INGEST_PROPERTY);
        if (value == null) {
            value = System.getProperty(INGEST_PROPERTY, System.getenv().getOrDefault("FLYWHEEL_DEVNET_INGEST", "sqs"));
        }
        return switch (String.valueOf(value)) {
            case "sqs" -> false;
            case "kinesis" -> true;
            default -> throw new IllegalArgumentException(INGEST_PROPERTY + " is sqs or kinesis, not " + value);
        };
    }

    /** The Kinesis event source in kinesis mode (its stream, invocations and discarded records); null in sqs mode. */
    public KinesisEventSource streamEventSource() {
        return stream;
    }

    private void startStream() throws IOException {
        streamVerifier = new KinesisProofVerifierHandler(context());
        // moto's Kinesis speaks JSON only; the SDK's default for Kinesis is CBOR.
        System.setProperty("aws.cborEnabled", "false");
        kinesis = software.amazon.awssdk.services.kinesis.KinesisClient.builder()
                .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create()).build();
        try {
            stream = KinesisEventSource.open(devnet.template(), devnet.stackName(),
                    intProperty("flywheel.devnet.kinesis.shards", DEFAULT_SHARDS), kinesis, sqs, event -> {
                        invocations.incrementAndGet();
                        return streamVerifier.handleRequest(event, LocalLambdaContext.forInvocation("proof-verifier", 30_000));
                    }, log);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while creating the proof stream", e);
        }
        stream.start();
    }

    public String claimsApiUrl() {
        return "http://127.0.0.1:" + http.getAddress().getPort();
    }

    public long forwardedMessages() {
        return forwarded.get();
    }

    /** Rule actions (SQS sends) that failed; each one either wrote an error record or was logged as lost. */
    public long failedActions() {
        return failedActions.get();
    }

    /** Error records the error action wrote to the ingest error queue. */
    public long errorRecords() {
        return errorRecords.get();
    }

    /**
     * Queue messages the verifier has handled (verdict stored, not reported as failed); a redelivered message counts
     * again. For progress without scanning the ledger: a scan of a large table on moto stalls every other request.
     */
    public long handledMessages() {
        return stream != null ? stream.handledRecords() : handled.get();
    }

    /**
     * Fault injection for tests: each of the next {@code n} batches is handed to the verifier only in its first half, and
     * then the "execution" dies: nothing of the batch is deleted, as when Lambda's process is killed mid-batch after
     * some verdicts were written. SQS delivers the whole batch again after the visibility timeout.
     */
    public void crashNextBatches(int n) {
        crashes.addAndGet(n);
    }

    public long verifierInvocations() {
        return invocations.get();
    }

    /**
     * Forced redelivery: hands every message the verifier has already been given to it again, with the same
     * message ids and bodies (what SQS does when a batch's deletion is lost), in batches of 10.
     *
     * @return how many messages were redelivered
     */
    public int redeliverAll() {
        if (stream != null) {
            return stream.replayAll();
        }
        List<SQSEvent.SQSMessage> all = new ArrayList<>(journal);
        for (int i = 0; i < all.size(); i += 10) {
            SQSEvent event = new SQSEvent();
            event.setRecords(new ArrayList<>(all.subList(i, Math.min(all.size(), i + 10))));
            verifier.handleRequest(event, LocalLambdaContext.forInvocation("proof-verifier", 30_000));
            invocations.incrementAndGet();
        }
        return all.size();
    }

    /** One settler invocation now, besides the schedule's; returns its result. */
    public Map<String, Object> invokeSettler() {
        return settler.handleRequest(Map.of(), LocalLambdaContext.forInvocation("settler", 300_000));
    }

    /** Serves {@code path} on the host's HTTP server too (after {@link #start()}); for devnet-only routes. */
    public void addRoute(String path, com.sun.net.httpserver.HttpHandler handler) {
        http.createContext(path, handler);
    }

    /** One epoch-closer invocation now (coverage windows, then epochs), besides the schedule's; returns its result. */
    public Map<String, Object> invokeEpochCloser() {
        return closer.handleRequest(Map.of(), LocalLambdaContext.forInvocation("epoch-closer", 300_000));
    }

    /**
     * The network-entropy function on EventBridge Scheduler's {@code rate(1 minute)}, here every
     * {@code flywheel.devnet.entropy-rate-seconds} (default 10; a period still gets one value). It reads the
     * chain through {@code flywheel.chain.rpc-secret-id}, so it runs only when that is configured. Table
     * {@code <stack>-entropy} and network id {@code flywheel-<chain id>} unless the properties say otherwise.
     */
    private void startEntropySchedule() {
        if (!settings.functionProperties().containsKey("flywheel.chain.rpc-secret-id")) {
            return;
        }
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("flywheel.entropy.table", devnet.stackName() + "-entropy");
        p.put("flywheel.entropy.network-id", "flywheel-" + devnet.chainId());
        p.putAll(settings.functionProperties());
        long rateSeconds = Long.parseLong(String.valueOf(p.getOrDefault("flywheel.devnet.entropy-rate-seconds", 10)));
        entropy = new NetworkEntropyHandler(ApplicationContext.builder().properties(p));
        scheduler.scheduleWithFixedDelay(() -> invokeScheduled("network-entropy", () -> entropy.handleRequest(Map.of(),
                LocalLambdaContext.forInvocation("network-entropy", 20_000))), 0, rateSeconds, TimeUnit.SECONDS);
    }

    private io.micronaut.context.ApplicationContextBuilder context() {
        return ApplicationContext.builder().properties(settings.functionProperties());
    }

    /**
     * The device registry (routes {@code /devices...}) as on the devnet: certificates signed by the devnet
     * CA that Mosquitto trusts (issuer {@code local-ca}, registered in moto), attached to the device policy
     * {@code <stack>-device}, which is created in moto if missing. Function properties may override all of it.
     */
    private io.micronaut.context.ApplicationContextBuilder deviceRegistryContext() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("flywheel.certificates.issuer", "local-ca");
        p.put("flywheel.certificates.local-ca.cert", devnet.caCert().toString());
        p.put("flywheel.certificates.local-ca.key", devnet.caKey().toString());
        p.put("flywheel.iot.device-policy", devnet.stackName() + "-device");
        p.put("flywheel.chain.id", devnet.chainId());
        p.putAll(settings.functionProperties());
        String policy = String.valueOf(p.get("flywheel.iot.device-policy"));
        try (var iot = software.amazon.awssdk.services.iot.IotClient.builder()
                .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create()).build()) {
            iot.createPolicy(b -> b.policyName(policy).policyDocument(
                    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"iot:Connect\",\"Resource\":\"*\"}]}"));
        } catch (software.amazon.awssdk.services.iot.model.ResourceAlreadyExistsException exists) {
            // a previous run created it
        }
        return ApplicationContext.builder().properties(p);
    }

    /**
     * Called on the MQTT client's event loop: only queues the match. The queue is in memory, as IoT Core's rule
     * engine holds a message between the broker and its action; a host that dies with matches queued loses them (the
     * devices' PUBACKs were sent), which is the stand-in's limit, not the design's.
     */
    private void forwardAsTopicRule(String topic, byte[] payload) {
        ruleActions.add(new RuleMatch(topic, payload, System.currentTimeMillis()));
    }

    /** Rule matches waiting for their SQS action (a backlog here means SQS, i.e. moto, is the bottleneck). */
    public int pendingRuleActions() {
        return ruleActions.size();
    }

    private void forwardRuleActions() {
        List<RuleMatch> batch = new ArrayList<>(SQS_BATCH);
        while (running || !ruleActions.isEmpty()) {
            try {
                RuleMatch first = ruleActions.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.clear();
                batch.add(first);
                ruleActions.drainTo(batch, (stream != null ? KinesisEventSource.PUT_BATCH : SQS_BATCH) - 1);
                // Bounded wait: messages that end in the DLQ are never deleted here, so the count may drift up.
                for (int i = 0; i < 100 && inQueue.get() >= queueDepthLimit && running; i++) {
                    Thread.sleep(50);
                }
                if (stream != null) {
                    putRuleActions(batch);
                } else {
                    sendRuleActions(batch);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                log.accept("rule action forwarder: " + e);
            }
        }
    }

    /**
     * The action, retried on transient failures (the endpoint unreachable, a 5xx, throttling) for about 15 s before the
     * error action takes over, so a restart of the AWS stand-in loses no proof; a permanent failure (a deleted queue, no
     * permission) goes to the error action at once.
     */
    private software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse sendWithRetries(
            List<SendMessageBatchRequestEntry> entries) throws InterruptedException {
        long backoff = 500;
        for (int attempt = 1; ; attempt++) {
            try {
                synchronized (queueWrites) {
                    return sqs.sendMessageBatch(b -> b.queueUrl(settings.queueUrl()).entries(entries));
                }
            } catch (software.amazon.awssdk.core.exception.SdkException e) {
                boolean transientFailure = !(e instanceof software.amazon.awssdk.awscore.exception.AwsServiceException service)
                        || service.statusCode() >= 500 || service.isThrottlingException();
                if (!transientFailure || attempt >= 5 || !running) {
                    throw e;
                }
                log.accept("rule action failed (attempt " + attempt + "), retrying in " + backoff + " ms: " + e.getMessage());
                Thread.sleep(backoff);
                backoff *= 2;
            }
        }
    }

    /** Exactly the rule's SQL output for a message: {@code encode(*, 'base64') AS payload, topic(3) AS thing, topic(), timestamp()}. */
    private static String ruleOutput(RuleMatch m) throws com.fasterxml.jackson.core.JsonProcessingException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("payload", Base64.getEncoder().encodeToString(m.payload()));
        body.put("thing", Topics.deviceIdOf(m.topic()));
        body.put("topic", m.topic());
        body.put("receivedAt", m.receivedAt());
        return JSON.writeValueAsString(body);
    }

    /**
     * The rule's Kinesis action: the same SQL output as the record's data, partition key {@code ${topic(3)}} (the thing),
     * so a device's messages keep their order in one shard; a failed put goes to the error action.
     */
    private void putRuleActions(List<RuleMatch> batch) {
        List<RuleMatch> matches = new ArrayList<>(batch.size());
        List<String> keys = new ArrayList<>(batch.size());
        List<byte[]> data = new ArrayList<>(batch.size());
        for (RuleMatch m : batch) {
            try {
                data.add(ruleOutput(m).getBytes(StandardCharsets.UTF_8));
                keys.add(Topics.deviceIdOf(m.topic()));
                matches.add(m);
            } catch (Exception e) {
                failedActions.incrementAndGet();
                errorAction(m.topic(), m.payload(), e);
            }
        }
        if (matches.isEmpty()) {
            return;
        }
        List<String> results;
        try {
            results = stream.put(keys, data);
        } catch (RuntimeException e) {
            for (RuleMatch m : matches) {
                failedActions.incrementAndGet();
                errorAction(m.topic(), m.payload(), e);
            }
            return;
        }
        for (int i = 0; i < matches.size(); i++) {
            if (results.get(i) == null) {
                forwarded.incrementAndGet();
            } else {
                failedActions.incrementAndGet();
                errorAction(matches.get(i).topic(), matches.get(i).payload(), new IllegalStateException(results.get(i)));
            }
        }
    }

    private void sendRuleActions(List<RuleMatch> batch) {
        List<SendMessageBatchRequestEntry> entries = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            RuleMatch m = batch.get(i);
            try {
                entries.add(SendMessageBatchRequestEntry.builder().id(Integer.toString(i))
                        .messageBody(ruleOutput(m)).build());
            } catch (Exception e) {
                failedActions.incrementAndGet();
                errorAction(m.topic(), m.payload(), e);
            }
        }
        if (entries.isEmpty()) {
            return;
        }
        try {
            var result = sendWithRetries(entries);
            forwarded.addAndGet(result.successful().size());
            inQueue.addAndGet(result.successful().size());
            for (var failed : result.failed()) {
                RuleMatch m = batch.get(Integer.parseInt(failed.id()));
                failedActions.incrementAndGet();
                errorAction(m.topic(), m.payload(), new IllegalStateException(failed.code() + ": " + failed.message()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            for (SendMessageBatchRequestEntry entry : entries) {
                RuleMatch m = batch.get(Integer.parseInt(entry.id()));
                failedActions.incrementAndGet();
                errorAction(m.topic(), m.payload(), e);
            }
        } catch (Exception e) {
            for (SendMessageBatchRequestEntry entry : entries) {
                RuleMatch m = batch.get(Integer.parseInt(entry.id()));
                failedActions.incrementAndGet();
                errorAction(m.topic(), m.payload(), e);
            }
        }
    }

    /**
     * What IoT Core does when a rule action fails: one message to the error action with the original payload
     * (base64) and the failure, in its error-action format. If even that fails, the loss is logged loudly
     * (IoT Core writes it to CloudWatch Logs).
     */
    private void errorAction(String topic, byte[] payload, Exception failure) {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("ruleName", RULE_NAME);
        record.put("topic", topic);
        record.put("cloudwatchTraceId", java.util.UUID.randomUUID().toString());
        record.put("clientId", Topics.deviceIdOf(topic));
        record.put("base64OriginalPayload", Base64.getEncoder().encodeToString(payload));
        record.put("failures", List.of(Map.of("failedAction", stream != null ? "KinesisAction" : "SqsAction",
                "failedResource", stream != null ? stream.streamName() : settings.queueUrl(),
                "errorMessage", String.valueOf(failure.getMessage()))));
        if (settings.errorQueueUrl() == null) {
            log.accept("rule action failed for " + topic + " and no error action is configured: " + failure);
            return;
        }
        try {
            String json = JSON.writeValueAsString(record);
            sqs.sendMessage(b -> b.queueUrl(settings.errorQueueUrl()).messageBody(json));
            errorRecords.incrementAndGet();
            log.accept("rule action failed for " + topic + " (" + payload.length + " bytes); error record written: " + failure);
        } catch (Exception e) {
            log.accept("rule action AND error action failed for " + topic + " (" + payload.length + " bytes), message lost: "
                    + failure + " / " + e);
        }
    }

    private void pollQueue(int lane) {
        int batchSize = intProperty("flywheel.devnet.event-source.batch-size", DEFAULT_BATCH_SIZE);
        while (running) {
            try {
                List<Message> messages = gather(received.get(lane), batchSize);
                if (!messages.isEmpty()) {
                    deliver(messages);
                }
            } catch (RuntimeException e) {
                if (running) {
                    log.accept("event source poll failed: " + e);
                    sleep(500);
                }
            }
        }
    }

    /**
     * Lambda's pollers receive from SQS apart from the function's executions; so do these: received messages wait here
     * (they stay invisible in the queue for its visibility timeout) until an invocation takes them, so receiving the next
     * batch overlaps verifying this one. One lane per invocation thread, chosen by the message's thing: a device's
     * messages are never in two concurrent batches here (as with a stream keyed by device). On AWS they can be, and the
     * verifier judges a delivery whose device changed under it again ({@code VerdictLedger.StaleVerdictException}), then
     * leaves it to SQS; on the devnet that redelivery waits out the 240 s visibility timeout, hence the lanes.
     */
    private final List<java.util.concurrent.BlockingQueue<Message>> received = new java.util.concurrent.CopyOnWriteArrayList<>();

    private int laneOf(Message m) {
        try {
            String thing = JSON.readTree(m.body()).path("thing").asText("");
            return Math.floorMod(thing.hashCode(), received.size());
        } catch (Exception e) {
            return 0; // unreadable: the verifier records it as such, from any lane
        }
    }

    private void receiveMessages() {
        int limit = 2 * intProperty("flywheel.devnet.event-source.batch-size", DEFAULT_BATCH_SIZE);
        while (running) {
            try {
                if (received.stream().mapToInt(java.util.Collection::size).sum() >= limit * received.size()) {
                    sleep(20);
                    continue;
                }
                for (Message m : sqs.receiveMessage(b -> b.queueUrl(settings.queueUrl()).maxNumberOfMessages(SQS_BATCH)
                        .waitTimeSeconds(1)
                        .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT)).messages()) {
                    received.get(laneOf(m)).add(m);
                }
            } catch (RuntimeException e) {
                if (running) {
                    log.accept("event source receive failed: " + e);
                    sleep(500);
                }
            }
        }
    }

    /**
     * One batch as Lambda's SQS event source builds it: up to {@code batchSize} messages, collected for at most the
     * batching window after the first arrived.
     */
    private List<Message> gather(java.util.concurrent.BlockingQueue<Message> received, int batchSize) {
        List<Message> batch = new ArrayList<>();
        try {
            Message first = received.poll(1, TimeUnit.SECONDS);
            if (first == null) {
                return batch;
            }
            batch.add(first);
            long windowEnd = System.nanoTime() + BATCHING_WINDOW.toNanos();
            while (batch.size() < batchSize && running) {
                received.drainTo(batch, batchSize - batch.size());
                long left = windowEnd - System.nanoTime();
                if (batch.size() >= batchSize || left <= 0) {
                    break;
                }
                Message next = received.poll(Math.min(left, 50_000_000L), TimeUnit.NANOSECONDS);
                if (next != null) {
                    batch.add(next);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return batch;
    }

    private void deliver(List<Message> messages) {
        SQSEvent event = new SQSEvent();
        List<SQSEvent.SQSMessage> records = new ArrayList<>();
        for (Message m : messages) {
            SQSEvent.SQSMessage r = new SQSEvent.SQSMessage();
            r.setMessageId(m.messageId());
            r.setReceiptHandle(m.receiptHandle());
            r.setBody(m.body());
            r.setEventSource("aws:sqs");
            r.setAttributes(Map.of("ApproximateReceiveCount",
                    m.attributes().getOrDefault(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT, "1")));
            records.add(r);
        }
        event.setRecords(records);
        for (SQSEvent.SQSMessage r : records) {
            journal.addLast(r);
            if (journalSize.incrementAndGet() > JOURNAL_LIMIT && journal.pollFirst() != null) {
                journalSize.decrementAndGet();
            }
        }
        if (crashes.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            SQSEvent half = new SQSEvent();
            half.setRecords(new ArrayList<>(records.subList(0, Math.max(1, records.size() / 2))));
            verifier.handleRequest(half, LocalLambdaContext.forInvocation("proof-verifier", 30_000));
            log.accept("verifier killed mid-batch (fault injection): " + half.getRecords().size() + " of " + records.size()
                    + " messages handled, none deleted");
            return;
        }
        Set<String> failed = new HashSet<>();
        try {
            SQSBatchResponse response = verifier.handleRequest(event, LocalLambdaContext.forInvocation("proof-verifier", 30_000));
            invocations.incrementAndGet();
            response.getBatchItemFailures().forEach(f -> failed.add(f.getItemIdentifier()));
        } catch (RuntimeException e) {
            log.accept("verifier invocation failed, the whole batch will be redelivered: " + e);
            return;
        }
        List<DeleteMessageBatchRequestEntry> done = messages.stream().filter(m -> !failed.contains(m.messageId()))
                .map(m -> DeleteMessageBatchRequestEntry.builder().id(m.messageId()).receiptHandle(m.receiptHandle()).build())
                .toList();
        handled.addAndGet(done.size());
        for (int i = 0; i < done.size(); i += SQS_BATCH) {
            List<DeleteMessageBatchRequestEntry> chunk = done.subList(i, Math.min(done.size(), i + SQS_BATCH));
            int deleted;
            synchronized (queueWrites) {
                deleted = sqs.deleteMessageBatch(b -> b.queueUrl(settings.queueUrl()).entries(chunk)).successful().size();
            }
            inQueue.addAndGet(-deleted);
        }
    }

    private int intProperty(String name, int fallback) {
        Object value = settings.functionProperties().get(name);
        return value == null ? fallback : Integer.parseInt(String.valueOf(value));
    }

    private void invokeScheduled(String name, Runnable invocation) {
        try {
            invocation.run();
        } catch (RuntimeException e) {
            // A failed scheduled invocation is retried by the next tick, as with EventBridge Scheduler. One cut short by
            // the host stopping is not a failure.
            if (running) {
                log.accept(name + " invocation failed: " + e);
            }
        }
    }

    private void serveClaims(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            APIGatewayV2HTTPEvent event = new APIGatewayV2HTTPEvent();
            event.setRawPath(path);
            event.setRouteKey("GET /claims/{address}");
            event.setPathParameters(Map.of("address", path.substring("/claims/".length())));
            APIGatewayV2HTTPResponse response = "GET".equals(exchange.getRequestMethod())
                    ? claims.handleRequest(event, LocalLambdaContext.forInvocation("claims-api", 10_000))
                    : APIGatewayV2HTTPResponse.builder().withStatusCode(405).withBody("{\"error\":\"method_not_allowed\"}").build();
            byte[] body = response.getBody() == null ? new byte[0] : response.getBody().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("content-type", "application/json");
            exchange.sendResponseHeaders(response.getStatusCode(), body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }

    /** {@code GET /network/...}: the raw path and the query string's parameters, as API Gateway's payload 2.0 passes them. */
    private void serveExplorerApi(HttpExchange exchange) throws IOException {
        try (exchange) {
            APIGatewayV2HTTPEvent event = new APIGatewayV2HTTPEvent();
            event.setRawPath(exchange.getRequestURI().getRawPath());
            event.setRouteKey("GET " + exchange.getRequestURI().getRawPath());
            String query = exchange.getRequestURI().getRawQuery();
            if (query != null && !query.isEmpty()) {
                Map<String, String> parameters = new LinkedHashMap<>();
                for (String pair : query.split("&")) {
                    String[] kv = pair.split("=", 2);
                    parameters.put(java.net.URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
                            kv.length == 2 ? java.net.URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
                }
                event.setRawQueryString(query);
                event.setQueryStringParameters(parameters);
            }
            APIGatewayV2HTTPResponse response = "GET".equals(exchange.getRequestMethod())
                    ? claims.handleRequest(event, LocalLambdaContext.forInvocation("claims-api", 10_000))
                    : APIGatewayV2HTTPResponse.builder().withStatusCode(405)
                            .withBody("{\"error\":\"method_not_allowed\",\"detail\":\"the explorer API is read-only (GET)\"}").build();
            byte[] body = response.getBody() == null ? new byte[0] : response.getBody().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("content-type", "application/json");
            if (response.getHeaders() != null && response.getHeaders().containsKey("cache-control")) {
                exchange.getResponseHeaders().add("cache-control", response.getHeaders().get("cache-control"));
            }
            exchange.sendResponseHeaders(response.getStatusCode(), body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }

    /**
     * IoT Core's {@code Publish} over HTTPS ({@code POST /topics/<url-encoded topic>?qos=1}, body = payload),
     * played by the rules-engine's broker connection. Only {@code flywheel/v1/<thing>/receipts}, {@code flywheel/v1/<thing>/challenges} and {@code flywheel/v1/network/entropy} are allowed
     * (403 otherwise, as IoT Core answers when the caller's policy denies the topic); 200 once the broker
     * has acknowledged the QoS 1 publish.
     */
    private void serveDataPlanePublish(HttpExchange exchange) throws IOException {
        try (exchange) {
            String topic = exchange.getRequestURI().getPath().substring("/topics/".length());
            byte[] payload = exchange.getRequestBody().readAllBytes();
            int status;
            String answer;
            if (!"POST".equals(exchange.getRequestMethod())) {
                status = 405;
                answer = "{\"message\":\"method not allowed\"}";
            } else if (!EntropyPublication.TOPIC.equals(topic)
                    && (Topics.deviceIdOf(topic) == null || !topic.equals(Topics.receipts(Topics.deviceIdOf(topic)))
                            && !topic.equals(ChallengeIssuer.topic(Topics.deviceIdOf(topic))))) {
                status = 403;
                answer = "{\"message\":\"not authorized to publish to " + topic.replace("\"", "") + "\"}";
            } else {
                try {
                    rulesEngine.publish(topic, payload).get(10, TimeUnit.SECONDS);
                    status = 200;
                    answer = "{\"message\":\"OK\",\"traceId\":\"devnet\"}";
                } catch (Exception e) {
                    if (e instanceof InterruptedException) {
                        Thread.currentThread().interrupt();
                    }
                    log.accept("data plane publish to " + topic + " failed: " + e);
                    status = 503;
                    answer = "{\"message\":\"broker did not acknowledge\"}";
                }
            }
            byte[] body = answer.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("content-type", "application/json");
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
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
        scheduler.shutdownNow();
        if (http != null) {
            http.stop(0);
        }
        if (rulesEngine != null) {
            rulesEngine.close();
        }
        if (stream != null) {
            stream.close();
        }
        for (Thread t : ruleForwarder == null ? pollers : java.util.stream.Stream.concat(pollers.stream(),
                java.util.stream.Stream.of(ruleForwarder)).toList()) {
            try {
                t.join(3000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (entropy != null) {
            entropy.close();
        }
        for (var handler : java.util.Arrays.asList(verifier, streamVerifier, closer, settler, claims, deviceRegistry)) {
            if (handler != null) {
                handler.close();
            }
        }
        if (kinesis != null) {
            kinesis.close();
        }
    }
}
