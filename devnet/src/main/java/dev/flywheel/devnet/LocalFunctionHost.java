package dev.flywheel.devnet;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.flywheel.claims.ClaimsApiHandler;
import dev.flywheel.device.mqtt.DeviceClient;
import dev.flywheel.device.mqtt.Topics;
import dev.flywheel.epochs.EpochCloserHandler;
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
 *       identity) that writes exactly the rule's SQL output to the proof queue;</li>
 *   <li>the SQS event source: polls the queue, invokes the verifier with batches, deletes what the
 *       handler did not report as failed (failed ones reappear and end in the DLQ after 5 receives);</li>
 *   <li>EventBridge Scheduler: runs the epoch closer and the settler on a fixed rate;</li>
 *   <li>API Gateway: {@code GET /claims/{address}} over HTTP to the claims handler.</li>
 * </ul>
 */
public final class LocalFunctionHost implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    public record Settings(Map<String, Object> functionProperties, String queueUrl, Duration closerRate,
                           Duration settlerRate, int httpPort) {
    }

    private final DevnetConfig devnet;
    private final Settings settings;
    private final SqsClient sqs;
    private final Consumer<String> log;
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(3);
    private final AtomicLong forwarded = new AtomicLong();
    private final AtomicLong invocations = new AtomicLong();
    private volatile boolean running;
    private ProofVerifierHandler verifier;
    private EpochCloserHandler closer;
    private SettlerHandler settler;
    private ClaimsApiHandler claims;
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
        running = true;

        rulesEngine = DeviceClient.builder("flywheel-rules-engine", devnet.rulesEngineCert(), devnet.rulesEngineKey(), devnet.mqtt())
                .clientId("flywheel-rules-engine-" + ProcessHandle.current().pid())
                .build();
        rulesEngine.connect();
        rulesEngine.subscribe("flywheel/v1/+/proofs", message -> forwardAsTopicRule(message.topic(), message.payload())).join();

        poller = Thread.ofPlatform().name("sqs-event-source").daemon().start(this::pollQueue);
        scheduler.scheduleWithFixedDelay(() -> invokeScheduled("epoch-closer", () -> closer.handleRequest(Map.of(),
                LocalLambdaContext.forInvocation("epoch-closer", 300_000))), 0, settings.closerRate().toMillis(), TimeUnit.MILLISECONDS);
        scheduler.scheduleWithFixedDelay(() -> invokeScheduled("settler", () -> settler.handleRequest(Map.of(),
                LocalLambdaContext.forInvocation("settler", 300_000))), 0, settings.settlerRate().toMillis(), TimeUnit.MILLISECONDS);

        http = HttpServer.create(new InetSocketAddress("127.0.0.1", settings.httpPort()), 0);
        http.createContext("/claims/", this::serveClaims);
        http.start();
    }

    public String claimsApiUrl() {
        return "http://127.0.0.1:" + http.getAddress().getPort();
    }

    public long forwardedMessages() {
        return forwarded.get();
    }

    public long verifierInvocations() {
        return invocations.get();
    }

    private io.micronaut.context.ApplicationContextBuilder context() {
        return ApplicationContext.builder().properties(settings.functionProperties());
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
            // IoT Core would fire the rule's error action here; the devnet logs it.
            log.accept("rule action failed for " + topic + ": " + e);
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
        for (var handler : List.of(verifier, closer, settler, claims)) {
            if (handler != null) {
                handler.close();
            }
        }
    }
}
