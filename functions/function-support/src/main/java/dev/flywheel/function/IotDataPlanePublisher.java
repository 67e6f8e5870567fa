package dev.flywheel.function;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import dev.flywheel.sigv4.SigV4Signer;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.utils.http.SdkHttpUtils;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The one call of the AWS IoT data plane the functions need (verifier receipts, network entropy), {@code Publish}
 * ({@code POST /topics/{topic}?qos=1}, body = the MQTT payload), signed with SigV4 (service
 * {@code iotdata}). The SDK's {@code iotdataplane} module is not served to this project's build machines,
 * so this uses the SDK pieces that are: the SigV4 signer (through {@link SigV4Signer}, shared with the CLI),
 * an {@link SdkHttpClient} and the credentials chain.
 *
 * <p>The topic is one path label, so every {@code /} in it is percent-encoded ({@code flywheel%2Fv1%2F...}),
 * as the SDK's own client sends it; the signer then encodes the path again for the canonical request,
 * which is what IoT Core (like every service but S3) expects.
 */
public class IotDataPlanePublisher implements TopicPublisher, AutoCloseable {
    /** SigV4 signing name of the IoT data plane (the endpoint host says {@code iot}, the signature must say this). */
    public static final String SIGNING_NAME = "iotdata";

    private final URI endpoint;
    private final SdkHttpClient http;
    private final SigV4Signer signer;

    /**
     * @param endpoint    e.g. {@code https://xxxxxxxx-ats.iot.eu-west-1.amazonaws.com} (the account's
     *                    {@code iot:Data-ATS} endpoint), or the devnet host's URL
     * @param region      signing region
     * @param credentials resolved per publish (Lambda's credentials rotate)
     * @param http        owned by this publisher: closed with it
     */
    public IotDataPlanePublisher(URI endpoint, String region, AwsCredentialsProvider credentials, SdkHttpClient http, Clock clock) {
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
        if (endpoint.getScheme() == null || endpoint.getHost() == null) {
            throw new IllegalArgumentException("IoT data endpoint must be an absolute URL: " + endpoint);
        }
        this.http = Objects.requireNonNull(http, "http");
        this.signer = new SigV4Signer(SIGNING_NAME, region, credentials, clock);
    }

    /**
     * A publisher with the functions' usual settings: the signing region from the endpoint host (else the SDK's
     * region chain), the default credentials chain, a URL-connection client with short timeouts.
     */
    public static IotDataPlanePublisher forEndpoint(String endpoint) {
        URI uri = URI.create(endpoint.strip());
        String region = regionOf(uri).orElseGet(() -> new DefaultAwsRegionProviderChain().getRegion().id());
        SdkHttpClient http = UrlConnectionHttpClient.builder()
                .connectionTimeout(Duration.ofSeconds(2))
                .socketTimeout(Duration.ofSeconds(3))
                .build();
        return new IotDataPlanePublisher(uri, region, DefaultCredentialsProvider.builder().build(), http, Clock.systemUTC());
    }

    /** The region in an IoT endpoint host ({@code xxxx-ats.iot.<region>.amazonaws.com}), if it names one. */
    public static Optional<String> regionOf(URI endpoint) {
        return SigV4Signer.serviceOf(endpoint).filter("iot"::equals).flatMap(service -> SigV4Signer.regionOf(endpoint));
    }

    /** The encoded request path for a publish to {@code topic}: {@code /topics/} + the topic as one encoded label. */
    public static String encodedPath(String basePath, String topic) {
        String base = basePath == null || basePath.isEmpty() || "/".equals(basePath) ? "" : basePath.replaceAll("/+$", "");
        return base + "/topics/" + SdkHttpUtils.urlEncode(topic);
    }

    @Override
    public void publish(String topic, byte[] payload) {
        if (topic == null || topic.isEmpty()) {
            throw new IllegalArgumentException("topic is empty");
        }
        SdkHttpFullRequest request = SdkHttpFullRequest.builder()
                .method(SdkHttpMethod.POST)
                .protocol(endpoint.getScheme())
                .host(endpoint.getHost())
                .port(endpoint.getPort() > 0 ? endpoint.getPort() : null)
                .encodedPath(encodedPath(endpoint.getRawPath(), topic))
                .putRawQueryParameter("qos", "1")
                .putHeader("Content-Type", "application/octet-stream")
                .putHeader("Content-Length", Integer.toString(payload.length))
                .build();
        HttpExecuteRequest execute = HttpExecuteRequest.builder()
                .request(signer.sign(request, payload))
                .contentStreamProvider(ContentStreamProvider.fromByteArray(payload))
                .build();
        try {
            HttpExecuteResponse response = http.prepareRequest(execute).call();
            String body = "";
            if (response.responseBody().isPresent()) {
                try (InputStream in = response.responseBody().get()) {
                    body = new String(in.readNBytes(512), StandardCharsets.UTF_8);
                }
            }
            int status = response.httpResponse().statusCode();
            if (status / 100 != 2) {
                throw new PublishFailedException(topic, status, body);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("publish to " + topic + " failed: " + e.getMessage(), e);
        }
    }

    /** The data plane answered with a non-2xx status. */
    public static final class PublishFailedException extends RuntimeException {
        private final int status;

        PublishFailedException(String topic, int status, String body) {
            super("publish to " + topic + " answered HTTP " + status + (body.isBlank() ? "" : ": " + body.strip()));
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    @Override
    public void close() {
        http.close();
    }
}
