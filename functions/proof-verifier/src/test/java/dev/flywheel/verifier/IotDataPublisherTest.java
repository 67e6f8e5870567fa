package dev.flywheel.verifier;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link IotDataPublisher} against {@link FakeIotDataPlane}, a local JDK HttpServer standing in for IoT
 * Core's HTTPS Publish endpoint (the real one cannot run here). The test checks what IoT Core would:
 * the path (the topic as one percent-encoded label), {@code qos=1}, the body byte for byte, and a SigV4
 * Authorization header for service {@code iotdata}, whose signature it recomputes independently from
 * the request as received (canonical URI encoded twice, as for every service but S3).
 */
class IotDataPublisherTest {
    private static final String KEY_ID = "AKIDEXAMPLE";
    private static final String SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-25T12:00:00Z"), ZoneOffset.UTC);
    private static final Pattern AUTH = Pattern.compile(
            "AWS4-HMAC-SHA256 Credential=([^/]+)/(\\d{8})/([a-z0-9-]+)/([a-z]+)/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})");

    private static IotDataPublisher publisher(String url) {
        return new IotDataPublisher(URI.create(url), "eu-west-1",
                StaticCredentialsProvider.create(AwsBasicCredentials.create(KEY_ID, SECRET)), UrlConnectionHttpClient.create(), CLOCK);
    }

    @Test
    void publishesTheBodyToTheEncodedTopicWithAValidSigV4Signature() throws Exception {
        try (var plane = new FakeIotDataPlane(t -> false); var publisher = publisher(plane.url())) {
            String topic = "flywheel/v1/thing-1:a_b/receipts";
            byte[] body = "{\"proofId\":\"ab\",\"seq\":7,\"outcome\":\"accepted\",\"epoch\":3}".getBytes(StandardCharsets.UTF_8);
            publisher.publish(topic, body);

            assertEquals(1, plane.requests.size());
            FakeIotDataPlane.Request r = plane.requests.getFirst();
            assertEquals("POST", r.method());
            assertEquals("/topics/flywheel%2Fv1%2Fthing-1%3Aa_b%2Freceipts", r.rawPath(), "the topic is one encoded path label");
            assertEquals("/topics/" + topic, r.decodedPath());
            assertEquals("qos=1", r.rawQuery());
            assertArrayEquals(body, r.body());
            assertEquals("20261125T120000Z", r.header("x-amz-date"));

            Matcher auth = AUTH.matcher(r.header("authorization"));
            assertTrue(auth.matches(), r.header("authorization"));
            assertEquals(KEY_ID, auth.group(1));
            assertEquals("20261125", auth.group(2));
            assertEquals("eu-west-1", auth.group(3));
            assertEquals("iotdata", auth.group(4), "IoT's data plane signs as iotdata, not iot");
            String signedHeaders = auth.group(5);
            assertTrue(Arrays.asList(signedHeaders.split(";")).containsAll(java.util.List.of("host", "x-amz-date")), signedHeaders);
            assertEquals(expectedSignature(r, signedHeaders, "eu-west-1"), auth.group(6), "signature recomputed from the received request");
        }
    }

    @Test
    void aRefusedPublishThrowsWithTheStatus() throws Exception {
        try (var plane = new FakeIotDataPlane(t -> t.contains("forbidden")); var publisher = publisher(plane.url())) {
            var e = assertThrows(IotDataPublisher.PublishFailedException.class,
                    () -> publisher.publish("flywheel/v1/forbidden/receipts", new byte[] {1}));
            assertEquals(403, e.status());
        }
    }

    @Test
    void anUnreachableEndpointThrows() {
        try (var publisher = publisher("http://127.0.0.1:1")) {
            assertThrows(RuntimeException.class, () -> publisher.publish("flywheel/v1/x/receipts", new byte[0]));
        }
    }

    @Test
    void theRegionComesFromAnIotEndpointHost() {
        assertEquals(Optional.of("eu-west-1"), IotDataPublisher.regionOf(URI.create("https://a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com")));
        assertEquals(Optional.of("cn-north-1"), IotDataPublisher.regionOf(URI.create("https://x-ats.iot.cn-north-1.amazonaws.com.cn")));
        assertEquals(Optional.empty(), IotDataPublisher.regionOf(URI.create("http://127.0.0.1:8080")));
        assertEquals("/base/topics/a%2Fb", IotDataPublisher.encodedPath("/base/", "a/b"));
        assertEquals("/topics/a%2Fb", IotDataPublisher.encodedPath("", "a/b"));
    }

    /** SigV4 (docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html), written out independently of the SDK. */
    private static String expectedSignature(FakeIotDataPlane.Request r, String signedHeaders, String region) throws Exception {
        String amzDate = r.header("x-amz-date");
        String date = amzDate.substring(0, 8);
        // Non-S3 services: every segment of the (already encoded) path is URI-encoded once more.
        String canonicalUri = Arrays.stream(r.rawPath().split("/", -1)).map(IotDataPublisherTest::uriEncode)
                .collect(Collectors.joining("/"));
        String canonicalHeaders = Arrays.stream(signedHeaders.split(";"))
                .map(h -> h + ":" + r.header(h).strip().replaceAll("\\s+", " ") + "\n").collect(Collectors.joining());
        String payloadHash = r.header("x-amz-content-sha256") != null ? r.header("x-amz-content-sha256") : hex(sha256(r.body()));
        String canonicalRequest = String.join("\n", r.method(), canonicalUri, r.rawQuery(), canonicalHeaders, signedHeaders, payloadHash);
        String scope = date + "/" + region + "/iotdata/aws4_request";
        String stringToSign = String.join("\n", "AWS4-HMAC-SHA256", amzDate, scope,
                hex(sha256(canonicalRequest.getBytes(StandardCharsets.UTF_8))));
        byte[] key = hmac(("AWS4" + SECRET).getBytes(StandardCharsets.UTF_8), date);
        key = hmac(key, region);
        key = hmac(key, "iotdata");
        key = hmac(key, "aws4_request");
        return hex(hmac(key, stringToSign));
    }

    private static String uriEncode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20").replace("*", "%2A").replace("%7E", "~");
    }

    private static byte[] sha256(byte[] b) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(b);
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
