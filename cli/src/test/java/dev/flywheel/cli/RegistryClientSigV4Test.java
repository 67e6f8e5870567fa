package dev.flywheel.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.flywheel.sigv4.SigV4Signer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CLI's SigV4 signing of registry requests. API Gateway (the real verifier of these signatures, the
 * AWS_IAM authorizer) cannot run here, so a local JDK {@link HttpServer} stands in for it: it records each
 * request as received on the wire and this test recomputes the SigV4 signature from those bytes with its
 * own HMAC-SHA256 code (not the SDK's), as API Gateway would, and checks the Authorization header's shape.
 */
class RegistryClientSigV4Test {
    private static final String ACCESS_KEY = "AKIDEXAMPLE";
    private static final String SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private static final Pattern AUTHORIZATION = Pattern.compile(
            "AWS4-HMAC-SHA256 Credential=([^/]+)/(\\d{8})/([a-z0-9-]+)/([a-z0-9-]+)/aws4_request, "
                    + "SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})");

    record Received(String method, String rawPath, String rawQuery, Map<String, List<String>> headers, byte[] body) {
        String header(String name) {
            for (var e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name)) {
                    return String.join(",", e.getValue());
                }
            }
            return null;
        }
    }

    private HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private String base;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::record);
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void record(HttpExchange exchange) throws IOException {
        try (exchange; InputStream in = exchange.getRequestBody()) {
            received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                    exchange.getRequestURI().getRawQuery(), Map.copyOf(exchange.getRequestHeaders()), in.readAllBytes()));
            byte[] out = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, out.length);
            try (OutputStream os = exchange.getResponseBody()) {
                os.write(out);
            }
        }
    }

    private RegistryClient signingClient(software.amazon.awssdk.auth.credentials.AwsCredentialsProvider credentials) {
        return new RegistryClient(base, new SigV4Signer(RegistryClient.SIGNING_SERVICE, "eu-west-1", credentials, Clock.systemUTC()));
    }

    @Test
    void signedPutCarriesAValidSigV4Signature() throws Exception {
        RegistryClient client = signingClient(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)));
        RegistryClient.Response r = client.put("/denylist/dev-1", "{\"reason\":\"spoofing\"}");
        assertEquals(200, r.status());
        Received req = received.get(0);
        assertEquals("{\"reason\":\"spoofing\"}", new String(req.body(), StandardCharsets.UTF_8));
        Matcher auth = AUTHORIZATION.matcher(req.header("Authorization"));
        assertTrue(auth.matches(), "Authorization header shape: " + req.header("Authorization"));
        assertEquals(ACCESS_KEY, auth.group(1));
        assertEquals(req.header("X-Amz-Date").substring(0, 8), auth.group(2));
        assertEquals("eu-west-1", auth.group(3));
        assertEquals("execute-api", auth.group(4));
        List<String> signed = List.of(auth.group(5).split(";"));
        assertTrue(signed.containsAll(List.of("host", "x-amz-date", "content-type")), signed.toString());
        assertEquals(recompute(req, auth, SECRET_KEY), auth.group(6));
        assertNull(req.header("X-Amz-Security-Token"));
    }

    @Test
    void sessionCredentialsSignTheSecurityTokenAndGetHasNoBody() throws Exception {
        RegistryClient client = signingClient(StaticCredentialsProvider.create(
                AwsSessionCredentials.create(ACCESS_KEY, SECRET_KEY, "session-token-123")));
        assertEquals(200, client.get("/denylist/dev-2").status());
        assertEquals(200, client.delete("/denylist/dev-2").status());
        for (Received req : received) {
            Matcher auth = AUTHORIZATION.matcher(req.header("Authorization"));
            assertTrue(auth.matches(), req.header("Authorization"));
            assertEquals("session-token-123", req.header("X-Amz-Security-Token"));
            assertTrue(List.of(auth.group(5).split(";")).contains("x-amz-security-token"));
            assertEquals(recompute(req, auth, SECRET_KEY), auth.group(6), req.method());
        }
        assertEquals(List.of("GET", "DELETE"), received.stream().map(Received::method).toList());
    }

    @Test
    void aWrongSecretDoesNotReproduceTheSignature() throws Exception {
        signingClient(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .post("/devices/dev-3/status", "{\"status\":\"suspended\",\"reason\":\"x\"}");
        Received req = received.get(0);
        Matcher auth = AUTHORIZATION.matcher(req.header("Authorization"));
        assertTrue(auth.matches());
        assertFalse(recompute(req, auth, SECRET_KEY + "x").equals(auth.group(6)));
    }

    @Test
    void unsignedForTheDevnet() throws Exception {
        RegistryClient client = RegistryClient.create(base, false, Map.of());
        assertFalse(client.signs());
        client.get("/devices/dev-4");
        assertNull(received.get(0).header("Authorization"));
    }

    @Test
    void whenToSign() {
        URI devnet = URI.create("http://127.0.0.1:8787");
        URI aws = URI.create("https://abc123defg.execute-api.eu-west-1.amazonaws.com");
        assertFalse(RegistryClient.shouldSign(devnet, false, Map.of()));
        assertTrue(RegistryClient.shouldSign(devnet, true, Map.of()));
        assertTrue(RegistryClient.shouldSign(devnet, false, Map.of("FLYWHEEL_REGISTRY_SIGV4", "1")));
        assertTrue(RegistryClient.shouldSign(devnet, false, Map.of("FLYWHEEL_REGISTRY_SIGV4", "true")));
        assertFalse(RegistryClient.shouldSign(devnet, false, Map.of("FLYWHEEL_REGISTRY_SIGV4", "0")));
        assertTrue(RegistryClient.shouldSign(aws, false, Map.of()));
        assertEquals("eu-west-1", SigV4Signer.regionOf(aws).orElseThrow());
        assertEquals("cn-north-1", SigV4Signer.regionOf(URI.create("https://x.execute-api.cn-north-1.amazonaws.com.cn/")).orElseThrow());
        assertTrue(SigV4Signer.regionOf(devnet).isEmpty());
    }

    // --- an independent SigV4 implementation (AWS General Reference, "Create a signed AWS API request") ---

    private static String recompute(Received req, Matcher auth, String secret) throws Exception {
        String date = req.header("X-Amz-Date");
        String day = auth.group(2);
        String scope = day + "/" + auth.group(3) + "/" + auth.group(4) + "/aws4_request";
        List<String> signedHeaders = List.of(auth.group(5).split(";"));
        StringBuilder canonicalHeaders = new StringBuilder();
        for (String h : signedHeaders) {
            String v = req.header(h);
            assertNotNull(v, "signed header " + h + " was not sent");
            canonicalHeaders.append(h).append(':').append(v.strip().replaceAll(" +", " ")).append('\n');
        }
        List<String> segments = new ArrayList<>();
        for (String s : req.rawPath().split("/", -1)) {
            segments.add(s.replace("%", "%25")); // non-S3 services: the already-encoded path is encoded again
        }
        String canonicalRequest = String.join("\n", req.method(), String.join("/", segments),
                req.rawQuery() == null ? "" : req.rawQuery(), canonicalHeaders.toString(), auth.group(5), hex(sha256(req.body())));
        String stringToSign = String.join("\n", "AWS4-HMAC-SHA256", date, scope,
                hex(sha256(canonicalRequest.getBytes(StandardCharsets.UTF_8))));
        byte[] key = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), day);
        key = hmac(key, auth.group(3));
        key = hmac(key, auth.group(4));
        key = hmac(key, "aws4_request");
        return hex(hmac(key, stringToSign));
    }

    private static byte[] sha256(byte[] data) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }

    private static byte[] hmac(byte[] key, String data) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    }

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
