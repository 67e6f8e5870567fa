package dev.flywheel.devnet;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An HTTP proxy in front of a local stand-in that can fail on purpose. In front of moto: every n-th DynamoDB request
 * answered with DynamoDB's own throttling error ({@code 400 ProvisionedThroughputExceededException}, which the SDK
 * retries and, once its retries are spent, surfaces), or the whole endpoint stopped and started again on the same port
 * (connection refused meanwhile), as when the stand-in restarts. In front of Anvil (JSON-RPC over HTTP): a {@link Tap}
 * sees each answered request and may act on it (go down, reorganise the chain) or swallow the answer, as when a node
 * dies after taking a request. A fake only in the sense that moto cannot throttle or restart without losing its
 * in-memory state, nor Anvil drop a connection on cue; every request that passes goes to the real server.
 */
final class FaultProxy implements AutoCloseable {
    /** Not forwarded; accept-encoding too, so a {@link Tap} reads plain bodies. */
    private static final Set<String> HOP_HEADERS = Set.of("host", "content-length", "connection", "expect", "upgrade",
            "transfer-encoding", "keep-alive", "accept-encoding");
    private final URI target;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final AtomicInteger throttleEvery = new AtomicInteger();
    private final AtomicLong dynamoRequests = new AtomicLong();
    private final AtomicLong throttled = new AtomicLong();
    private final AtomicInteger outages = new AtomicInteger();
    private volatile String failNaming;
    private final AtomicLong failedByName = new AtomicLong();
    private final int port;
    private volatile HttpServer server;
    private volatile Tap tap = (request, status, response) -> true;

    /** Sees each forwarded request with the target's answer, before the caller gets it. */
    @FunctionalInterface
    interface Tap {
        /** @return false to swallow the answer: the connection closes without a response (the request did reach the target) */
        boolean answer(byte[] request, int status, byte[] response) throws Exception;
    }

    FaultProxy(URI target) throws IOException {
        this.target = target;
        this.port = HostProperties.freePort();
        start();
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    /** 0: no throttling; n: every n-th DynamoDB request is throttled. */
    void throttleEvery(int n) {
        throttleEvery.set(n);
    }

    /**
     * Every DynamoDB request whose body contains {@code name} (a device id) is answered with an internal server error,
     * as if that device's items sat on a failing partition: a poison record for the verifier (null: none).
     */
    void failDynamoRequestsNaming(String name) {
        failNaming = name;
    }

    long failedByName() {
        return failedByName.get();
    }

    long throttled() {
        return throttled.get();
    }

    void tap(Tap tap) {
        this.tap = tap;
    }

    /** How often the endpoint went down ({@link #restart}, {@link #goDownFor}). */
    int outages() {
        return outages.get();
    }

    /** {@link #restart} in the background: callable from a {@link Tap}, whose exchange the stop would wait for. */
    void goDownFor(Duration down) {
        Thread.ofVirtual().start(() -> {
            try {
                restart(down);
            } catch (Exception e) {
                throw new IllegalStateException("proxy did not come back on port " + port, e);
            }
        });
    }

    /** Stops the endpoint (connections refused) for {@code down}, then serves again on the same port. */
    void restart(Duration down) throws Exception {
        outages.incrementAndGet();
        server.stop(0);
        Thread.sleep(down.toMillis());
        start();
    }

    private void start() throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 256);
        s.createContext("/", this::handle);
        s.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        s.start();
        server = s;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String amzTarget = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (amzTarget != null && amzTarget.startsWith("DynamoDB_")) {
                long n = dynamoRequests.incrementAndGet();
                String naming = failNaming;
                if (naming != null && new String(body, StandardCharsets.UTF_8).contains(naming)) {
                    failedByName.incrementAndGet();
                    byte[] error = "{\"__type\":\"com.amazon.coral.service#InternalFailure\",\"message\":\"injected failure\"}"
                            .getBytes(StandardCharsets.UTF_8);
                    exchange.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.0");
                    exchange.sendResponseHeaders(500, error.length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(error);
                    }
                    return;
                }
                int every = throttleEvery.get();
                if (every > 0 && n % every == 0) {
                    throttled.incrementAndGet();
                    byte[] error = ("{\"__type\":\"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException\","
                            + "\"message\":\"The level of configured provisioned throughput for the table was exceeded.\"}")
                            .getBytes(StandardCharsets.UTF_8);
                    exchange.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.0");
                    exchange.sendResponseHeaders(400, error.length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(error);
                    }
                    return;
                }
            }
            HttpRequest.Builder forward = HttpRequest.newBuilder(target.resolve(exchange.getRequestURI().toString()))
                    .timeout(Duration.ofSeconds(60))
                    .method(exchange.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(body));
            exchange.getRequestHeaders().forEach((name, values) -> {
                if (!HOP_HEADERS.contains(name.toLowerCase())) {
                    values.forEach(v -> forward.header(name, v));
                }
            });
            HttpResponse<byte[]> response;
            try {
                response = client.send(forward.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                exchange.sendResponseHeaders(503, -1);
                return;
            }
            response.headers().map().forEach((name, values) -> {
                if (!HOP_HEADERS.contains(name.toLowerCase()) && !name.startsWith(":")) {
                    values.forEach(v -> exchange.getResponseHeaders().add(name, v));
                }
            });
            byte[] answer = response.body();
            try {
                if (!tap.answer(body, response.statusCode(), answer)) {
                    return; // closing the exchange unanswered closes the connection
                }
            } catch (Exception e) {
                System.err.println("[fault-proxy] tap failed, answer dropped: " + e);
                throw new IOException("tap failed", e);
            }
            exchange.sendResponseHeaders(response.statusCode(), answer.length == 0 ? -1 : answer.length);
            if (answer.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(answer);
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
