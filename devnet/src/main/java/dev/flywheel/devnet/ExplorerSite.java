package dev.flywheel.devnet;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The explorer on the devnet, what S3 serves on AWS (template.yaml {@code ExplorerBucket}): the built single-page app
 * ({@code explorer/dist}) under {@code /explorer/}, next to the claims API on the same host. Devnet-only besides:
 * <ul>
 *   <li>{@code /explorer/config.json}: the API on the same origin, and a test wallet ({@link #TEST_WALLET_KEY}, an Anvil
 *       dev key) that the page turns into an EIP-1193 provider, since no browser wallet extension exists here;</li>
 *   <li>{@code POST /explorer/rpc}: the chain's JSON-RPC (Anvil), proxied so the page needs no cross-origin access.</li>
 * </ul>
 */
public final class ExplorerSite {
    /**
     * Anvil's dev account 9 (from Anvil's public test mnemonic): it pays for claims sent from the devnet's explorer.
     * The other services use accounts 0-2, so its nonces are its own.
     */
    public static final String TEST_WALLET_KEY = "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8", "js", "text/javascript",
            "css", "text/css", "json", "application/json", "png", "image/png", "svg", "image/svg+xml", "ico", "image/x-icon");

    private final Path dist;
    private final String chainRpc;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private ExplorerSite(Path dist, String chainRpc) {
        this.dist = dist.toAbsolutePath().normalize();
        this.chainRpc = chainRpc;
    }

    /** Serves the explorer on {@code host}; returns its URL. */
    public static String install(LocalFunctionHost host, DevnetConfig devnet) {
        ExplorerSite site = new ExplorerSite(devnet.repoRoot().resolve("explorer/dist"), devnet.chainRpc());
        host.addRoute("/explorer", site::serve);
        return host.claimsApiUrl() + "/explorer/";
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (path.equals("/explorer")) {
                exchange.getResponseHeaders().add("location", "/explorer/");
                exchange.sendResponseHeaders(302, -1);
                return;
            }
            String rest = path.substring("/explorer/".length());
            switch (rest) {
                case "rpc" -> proxyRpc(exchange);
                case "config.json" -> send(exchange, 200, "application/json", JSON.writeValueAsBytes(config()));
                default -> file(exchange, rest.isEmpty() ? "index.html" : rest);
            }
        }
    }

    private static Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("apiUrl", "");
        c.put("tileUrl", null);
        c.put("network", "devnet");
        c.put("devnetWallet", Map.of("rpcUrl", "./rpc", "privateKey", TEST_WALLET_KEY));
        return c;
    }

    private void file(HttpExchange exchange, String relative) throws IOException {
        Path file = dist.resolve(relative).normalize();
        if (!file.startsWith(dist)) {
            send(exchange, 404, "text/plain", "not found".getBytes(StandardCharsets.UTF_8));
            return;
        }
        if (!Files.isRegularFile(file)) {
            if (!Files.isRegularFile(dist.resolve("index.html"))) {
                send(exchange, 503, "text/plain; charset=utf-8", ("The explorer is not built: run `npm --prefix explorer ci && "
                        + "npm --prefix explorer run build` (scripts/demo does), then reload.").getBytes(StandardCharsets.UTF_8));
                return;
            }
            send(exchange, 404, "text/plain", ("no file " + relative).getBytes(StandardCharsets.UTF_8));
            return;
        }
        String name = file.getFileName().toString();
        String type = TYPES.getOrDefault(name.substring(name.lastIndexOf('.') + 1), "application/octet-stream");
        send(exchange, 200, type, Files.readAllBytes(file));
    }

    private void proxyRpc(HttpExchange exchange) throws IOException {
        if (!"POST".equals(exchange.getRequestMethod())) {
            send(exchange, 405, "application/json", "{\"error\":\"method_not_allowed\"}".getBytes(StandardCharsets.UTF_8));
            return;
        }
        byte[] request = exchange.getRequestBody().readNBytes(1 << 20);
        try {
            HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(URI.create(chainRpc))
                    .timeout(Duration.ofSeconds(30)).header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(request)).build(), HttpResponse.BodyHandlers.ofByteArray());
            send(exchange, response.statusCode(), "application/json", response.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            send(exchange, 503, "application/json", "{\"error\":\"interrupted\"}".getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            send(exchange, 502, "application/json", JSON.writeValueAsBytes(Map.of("error", "chain_unreachable",
                    "detail", "the devnet chain at " + chainRpc + " did not answer: " + e.getMessage())));
        }
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().add("content-type", type);
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
