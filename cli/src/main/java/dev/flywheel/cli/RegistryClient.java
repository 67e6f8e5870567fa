package dev.flywheel.cli;

import dev.flywheel.sigv4.SigV4Signer;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The device-registry API over HTTP (JSON in, JSON out). On AWS the API uses the AWS_IAM authorizer, so
 * requests are signed with SigV4 (service {@code execute-api}, credentials from the SDK's default chain,
 * region from the URL's host or {@code AWS_REGION}) when asked to ({@code --sign},
 * {@code FLYWHEEL_REGISTRY_SIGV4=1}) or when the URL is an {@code execute-api} host; never for the devnet.
 */
final class RegistryClient {
    static final String SIGNING_SERVICE = "execute-api";

    record Response(int status, String body) {
        boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    private final URI base;
    private final SigV4Signer signer;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /** @param signer null: requests go unsigned (the devnet) */
    RegistryClient(String baseUrl, SigV4Signer signer) {
        this.base = URI.create(baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl);
        this.signer = signer;
    }

    RegistryClient(String baseUrl) {
        this(baseUrl, null);
    }

    /**
     * A client for {@code baseUrl}, signing if {@code sign} is true, if {@code FLYWHEEL_REGISTRY_SIGV4}
     * ({@code env}) is {@code 1}/{@code true}, or if the URL is an API Gateway ({@code execute-api}) host.
     */
    static RegistryClient create(String baseUrl, boolean sign, Map<String, String> env) {
        URI uri = URI.create(baseUrl);
        return new RegistryClient(baseUrl, shouldSign(uri, sign, env) ? SigV4Signer.forEndpoint(SIGNING_SERVICE, uri) : null);
    }

    static boolean shouldSign(URI uri, boolean sign, Map<String, String> env) {
        String flag = Optional.ofNullable(env.get("FLYWHEEL_REGISTRY_SIGV4")).orElse("").strip();
        return sign || flag.equals("1") || flag.equalsIgnoreCase("true")
                || SigV4Signer.serviceOf(uri).filter(SIGNING_SERVICE::equals).isPresent();
    }

    boolean signs() {
        return signer != null;
    }

    Response get(String path) throws IOException, InterruptedException {
        return send("GET", path, null);
    }

    Response post(String path, String json) throws IOException, InterruptedException {
        return send("POST", path, json);
    }

    Response put(String path, String json) throws IOException, InterruptedException {
        return send("PUT", path, json);
    }

    Response delete(String path) throws IOException, InterruptedException {
        return send("DELETE", path, null);
    }

    private Response send(String method, String path, String json) throws IOException, InterruptedException {
        URI uri = URI.create(base + path);
        byte[] body = json == null ? new byte[0] : json.getBytes(StandardCharsets.UTF_8);
        Map<String, String> headers = new LinkedHashMap<>();
        if (json != null) {
            headers.put("content-type", "application/json");
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (signer != null) {
            // Host is signed as host[:port], which is what the JDK client sends (it may not be set by hand).
            headers.putAll(signer.signatureHeaders(method, uri, headers, body));
        }
        headers.forEach(b::header);
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Response(r.statusCode(), r.body());
    }
}
