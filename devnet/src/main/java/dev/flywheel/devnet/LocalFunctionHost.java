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
import dev.flywheel.verifier.ProofVerifierHandler;
import io.micronaut.context.ApplicationContext;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

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
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Plays locally the parts AWS plays around the functions, so the same handler classes run unchanged:
 * <ul>
 *   <li>the IoT topic rule: a broker subscription on {@code flywheel/v1/+/proofs} (as the rules engine
 *       identity) that writes exactly the rule's SQL output to the proof queue, and, when that action fails,
 *       an error record in IoT Core's error-action format to the ingest error queue (the template's
 *       {@code ErrorAction}), so no publish the broker acknowledged is ever lost without a trace;</li>
 *   <li>the SQS event source: polls the queue, invokes the verifier with batches, deletes what the
 *       handler did not report as failed (failed ones reappear and end in the DLQ after 5 receives);</li>
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
    /** The last {@value #JOURNAL_LIMIT} messages handed to the verifier, for {@link #redeliverAll()}. */
    private final java.util.Deque<SQSEvent.SQSMessage> journal = new java.util.concurrent.ConcurrentLinkedDeque<>();
    private static final int JOURNAL_LIMIT = 10_000;
    private final java.util.concurrent.atomic.AtomicInteger journalSize = new java.util.concurrent.atomic.AtomicInteger();
    private volatile boolean running;
    private ProofVerifierHandler verifier;
    private EpochCloserHandler closer;
    private SettlerHandler settler;
    private ClaimsApiHandler claims;
    private NetworkEntropyHandler entropy;
    private DeviceRegistryHandler deviceRegistry;
    private DeviceClient rulesEngine;
    private HttpServer http;
    private Thread poller;

    public LocalFunctionHost(DevnetConfig devnet, Settings settings, SqsClient sqs, Consumer<String> log) {
        this.devnet = devnet;
        this.settings = settings;
        this.sqs = sqs;
        this.log = log;
    }

    public void start() throws IOException {
        verifier = new ProofVerifierHandler(context());
        closer = new EpochCloserHandler(context());
        settler = new SettlerHandler(context());
        claims = new ClaimsApiHandler(context());
        deviceRegistry = new DeviceRegistryHandler(deviceRegistryContext());
        running = true;

        rulesEngine = DeviceClient.builder("flywheel-rules-engine", devnet.rulesEngineCert(), devnet.rulesEngineKey(), devnet.mqtt())
                .clientId("flywheel-rules-engine-" + ProcessHandle.current().pid())
                .build();
        rulesEngine.connect();
        // The rule's topic filter from template.yaml (ProofIngestRule's FROM), not a copy of it.
        rulesEngine.subscribe(TemplateQueues.ingestRule(devnet.template()).topicFilter(),
                message -> forwardAsTopicRule(message.topic(), message.payload())).join();

        poller = Thread.ofPlatform().name("sqs-event-source").daemon().start(this::pollQueue);
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

    /** Exactly the rule's SQL output: {@code encode(*, 'base64') AS payload, topic(3) AS thing, topic(), timestamp()}. */
    private void forwardAsTopicRule(String topic, byte[] payload) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("payload", Base64.getEncoder().encodeToString(payload));
        body.put("thing", Topics.deviceIdOf(topic));
        body.put("topic", topic);
        body.put("receivedAt", System.currentTimeMillis());
        try {
            String json = JSON.writeValueAsString(body);
            sqs.sendMessage(b -> b.queueUrl(settings.queueUrl()).messageBody(json));
            forwarded.incrementAndGet();
        } catch (Exception e) {
            failedActions.incrementAndGet();
            errorAction(topic, payload, e);
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
        record.put("failures", List.of(Map.of("failedAction", "SqsAction", "failedResource", settings.queueUrl(),
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

    private void pollQueue() {
        while (running) {
            try {
                List<Message> messages = sqs.receiveMessage(b -> b.queueUrl(settings.queueUrl()).maxNumberOfMessages(10)
                        .waitTimeSeconds(1).messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT)).messages();
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
        if (!done.isEmpty()) {
            sqs.deleteMessageBatch(b -> b.queueUrl(settings.queueUrl()).entries(done));
        }
    }

    private void invokeScheduled(String name, Runnable invocation) {
        try {
            invocation.run();
        } catch (RuntimeException e) {
            // A failed scheduled invocation is retried by the next tick, as with EventBridge Scheduler.
            log.accept(name + " invocation failed: " + e);
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
        if (poller != null) {
            try {
                poller.join(3000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (entropy != null) {
            entropy.close();
        }
        for (var handler : List.of(verifier, closer, settler, claims, deviceRegistry)) {
            if (handler != null) {
                handler.close();
            }
        }
    }
}
