package dev.flywheel.sigv4;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * AWS Signature Version 4 for one service and region, on the SDK's own {@link AwsV4HttpSigner} (no SDK
 * service client needed): the IoT data plane publisher of the functions ({@code iotdata}) and the CLI's
 * device-registry client ({@code execute-api}) both sign with this. Credentials are resolved per request
 * (they rotate on Lambda and under SSO). No Micronaut, so the CLI's jar can carry it.
 *
 * <p>The request path must already be percent-encoded as it goes on the wire; the signer encodes it once
 * more for the canonical request, as every service but S3 expects.
 */
public final class SigV4Signer {
    /** A host of the form {@code <id>.<service>.<region>.amazonaws.com[.cn]} (execute-api, iot, ...). */
    private static final Pattern REGION_IN_HOST = Pattern.compile(
            "\\.([a-z0-9-]+)\\.([a-z]{2}(?:-[a-z]+)+-\\d+)\\.amazonaws\\.com(?:\\.cn)?$");

    private final String service;
    private final String region;
    private final AwsCredentialsProvider credentials;
    private final Clock clock;
    private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();

    public SigV4Signer(String service, String region, AwsCredentialsProvider credentials, Clock clock) {
        this.service = Objects.requireNonNull(service, "service");
        this.region = Objects.requireNonNull(region, "region");
        this.credentials = Objects.requireNonNull(credentials, "credentials");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * A signer for requests to {@code endpoint}: the region from the endpoint's host if it names one,
     * else the SDK's region chain ({@code AWS_REGION}, profile, ...); the default credentials chain.
     */
    public static SigV4Signer forEndpoint(String service, URI endpoint) {
        String region = regionOf(endpoint).orElseGet(() -> new DefaultAwsRegionProviderChain().getRegion().id());
        return new SigV4Signer(service, region, DefaultCredentialsProvider.builder().build(), Clock.systemUTC());
    }

    /** The region in an AWS endpoint host ({@code xxxx.<service>.<region>.amazonaws.com}), if it names one. */
    public static Optional<String> regionOf(URI endpoint) {
        String host = endpoint.getHost();
        Matcher m = host == null ? null : REGION_IN_HOST.matcher(host.toLowerCase(Locale.ROOT));
        return m != null && m.find() ? Optional.of(m.group(2)) : Optional.empty();
    }

    /** The service label of an AWS endpoint host ({@code execute-api}, {@code iot}, ...), if it is one. */
    public static Optional<String> serviceOf(URI endpoint) {
        String host = endpoint.getHost();
        Matcher m = host == null ? null : REGION_IN_HOST.matcher(host.toLowerCase(Locale.ROOT));
        return m != null && m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    public String service() {
        return service;
    }

    public String region() {
        return region;
    }

    /** Signs a request whose body is {@code payload} (empty array for none); returns the signed request. */
    public SdkHttpFullRequest sign(SdkHttpFullRequest request, byte[] payload) {
        SignedRequest signed = signer.sign(r -> r
                .identity(credentials.resolveCredentials())
                .request(request)
                .payload(ContentStreamProvider.fromByteArray(payload == null ? new byte[0] : payload))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, service)
                .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                .putProperty(HttpSigner.SIGNING_CLOCK, clock));
        return (SdkHttpFullRequest) signed.request();
    }

    /**
     * The headers to add to a request sent by another HTTP client (e.g. {@code java.net.http}):
     * every header the signer added except {@code Host}: {@code Authorization}, {@code X-Amz-Date}, with temporary
     * credentials {@code X-Amz-Security-Token}, and (plain {@code http} only) {@code x-amz-content-sha256}.
     * {@code Host} is signed as the URI's {@code host[:port]}, which is what HTTP clients send.
     *
     * @param uri     the full request URI (path and query as sent, percent-encoded)
     * @param headers the other headers the request carries that should be signed (e.g. {@code content-type})
     */
    public Map<String, String> signatureHeaders(String method, URI uri, Map<String, String> headers, byte[] body) {
        SdkHttpFullRequest.Builder b = SdkHttpFullRequest.builder()
                .method(SdkHttpMethod.fromValue(method.toUpperCase(Locale.ROOT)))
                .protocol(uri.getScheme())
                .host(uri.getHost())
                .port(uri.getPort() > 0 ? uri.getPort() : null)
                .encodedPath(uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath());
        if (uri.getRawQuery() != null && !uri.getRawQuery().isEmpty()) {
            for (String pair : uri.getRawQuery().split("&")) {
                int eq = pair.indexOf('=');
                b.appendRawQueryParameter(decode(eq < 0 ? pair : pair.substring(0, eq)), eq < 0 ? null : decode(pair.substring(eq + 1)));
            }
        }
        headers.forEach(b::putHeader);
        SdkHttpFullRequest signed = sign(b.build(), body);
        Map<String, String> out = new LinkedHashMap<>();
        signed.forEachHeader((name, values) -> {
            boolean given = headers.keySet().stream().anyMatch(name::equalsIgnoreCase);
            if (!given && !name.equalsIgnoreCase("Host") && !values.isEmpty()) {
                out.put(name, values.get(0));
            }
        });
        return out;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}
