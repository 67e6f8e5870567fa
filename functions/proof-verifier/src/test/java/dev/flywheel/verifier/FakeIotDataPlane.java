package dev.flywheel.verifier;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.Predicate;

/**
 * A stand-in for AWS IoT Core's HTTPS data plane ({@code POST /topics/{topic}?qos=1}), which cannot run
 * on this machine: a JDK HttpServer that records each request exactly as it arrived (raw path, query,
 * headers, body) and answers 200, or 403 for topics {@code forbidden} matches. It does not check
 * signatures itself; the tests recompute them.
 */
final class FakeIotDataPlane implements AutoCloseable {

    record Request(String method, String rawPath, String decodedPath, String rawQuery, Map<String, String> headers, byte[] body) {
        String header(String name) {
            return headers.get(name.toLowerCase());
        }
    }

    private final HttpServer server;
    final List<Request> requests = new CopyOnWriteArrayList<>();

    FakeIotDataPlane(Predicate<String> forbidden) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", exchange -> {
            try (exchange; InputStream in = exchange.getRequestBody()) {
                byte[] body = in.readAllBytes();
                Map<String, String> headers = new TreeMap<>();
                exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), String.join(",", v)));
                Request r = new Request(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                        exchange.getRequestURI().getPath(), exchange.getRequestURI().getRawQuery(), headers, body);
                requests.add(r);
                String topic = r.decodedPath().startsWith("/topics/") ? r.decodedPath().substring("/topics/".length()) : "";
                boolean ok = "POST".equals(r.method()) && !topic.isEmpty() && !forbidden.test(topic);
                byte[] answer = (ok ? "{\"message\":\"OK\",\"traceId\":\"fake\"}"
                        : "{\"message\":\"Forbidden\",\"traceId\":\"fake\"}").getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("content-type", "application/json");
                exchange.sendResponseHeaders(ok ? 200 : 403, answer.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(answer);
                }
            }
        });
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
