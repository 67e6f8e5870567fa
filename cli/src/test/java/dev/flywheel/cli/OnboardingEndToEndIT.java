package dev.flywheel.cli;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.flywheel.core.crypto.DeviceSigningKey;
import dev.flywheel.core.proof.ProofCodec;
import dev.flywheel.core.proof.SensorReading;
import dev.flywheel.device.mqtt.DeviceClient;
import dev.flywheel.device.mqtt.MqttEndpoint;
import dev.flywheel.device.mqtt.Topics;
import dev.flywheel.dynamodb.TableNames;
import dev.flywheel.registry.DeviceRegistryHandler;
import dev.flywheel.registry.LocalHttpRoute;
import dev.flywheel.testing.MotoDynamo;
import dev.flywheel.verifier.ProofVerifierHandler;
import io.micronaut.context.ApplicationContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.iot.IotClient;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The whole onboarding on the devnet, driven by the command-line tool: keygen, both signatures of the
 * owner binding, register against the device-registry function served over HTTP (moto IoT + DynamoDB,
 * certificate from the devnet CA), then the issued certificate connects to the real Mosquitto with
 * the SDK client and publishes a proof, which the verifier accepts; after {@code flywheel revoke} the
 * certificate is INACTIVE in moto and the next proof is rejected {@code device_revoked}.
 *
 * <p>Locally Mosquitto cannot see IoT certificate status, so the revoked device can still connect and
 * publish here; the registry's REVOKED status is what rejects its proofs (on AWS, IoT Core also refuses
 * the INACTIVE certificate's connection).
 */
class OnboardingEndToEndIT {
    private static final long CHAIN = 80002;
    private static final ObjectMapper JSON = new ObjectMapper();

    private static DynamoDbClient dynamo;
    private static IotClient iot;
    private static TableNames tables;
    private static DeviceRegistryHandler registry;
    private static ProofVerifierHandler verifier;
    private static HttpServer http;
    private static String api;
    private static DeviceClient rulesEngine;
    private static final BlockingQueue<DeviceClient.InboundMessage> published = new LinkedBlockingQueue<>();

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        dynamo = MotoDynamo.client();
        tables = MotoDynamo.createTables(dynamo);
        iot = IotClient.builder().endpointOverride(MotoDynamo.iotEndpoint()).region(Region.of(System.getenv("AWS_REGION")))
                .httpClient(UrlConnectionHttpClient.create()).build();
        String policy = tables.devices().replace("-devices", "-device");
        iot.createPolicy(b -> b.policyName(policy).policyDocument("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                + "\"Action\":\"iot:Connect\",\"Resource\":\"*\"}]}"));

        Map<String, Object> p = new HashMap<>();
        p.put("flywheel.devices.table", tables.devices());
        p.put("flywheel.ledger.table", tables.ledger());
        p.put("flywheel.epochs.table", tables.epochs());
        p.put("flywheel.rewards.table", tables.rewards());
        p.put("flywheel.settlements.table", tables.settlements());
        p.put("flywheel.epoch.genesis", "2026-01-01T00:00:00Z");
        p.put("flywheel.epoch.seconds", "60");
        p.put("flywheel.device-cache-seconds", 0);
        p.put("flywheel.chain.id", CHAIN);
        p.put("flywheel.iot.device-policy", policy);
        p.put("flywheel.certificates.issuer", "local-ca");
        p.put("flywheel.certificates.local-ca.cert", env("FLYWHEEL_DEVNET_CA_CERT"));
        p.put("flywheel.certificates.local-ca.key", env("FLYWHEEL_DEVNET_CA_KEY"));
        registry = new DeviceRegistryHandler(ApplicationContext.builder().properties(p));
        verifier = new ProofVerifierHandler(ApplicationContext.builder().properties(p));

        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/devices", new LocalHttpRoute(registry, () -> null));
        http.start();
        api = "http://127.0.0.1:" + http.getAddress().getPort();

        // The IoT rule's view of the broker: every device's proofs topic (as the rules-engine identity).
        rulesEngine = DeviceClient.builder("flywheel-rules-engine", Path.of(env("FLYWHEEL_RULES_ENGINE_CERT")),
                        Path.of(env("FLYWHEEL_RULES_ENGINE_KEY")), MqttEndpoint.fromEnv())
                .clientId("flywheel-rules-engine-onboarding-it-" + UUID.randomUUID().toString().substring(0, 6))
                .build();
        rulesEngine.connect();
        rulesEngine.subscribe(Topics.ALL_PROOFS, published::add).get(10, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() {
        if (rulesEngine != null) {
            rulesEngine.close();
        }
        if (http != null) {
            http.stop(0);
        }
        if (registry != null) {
            registry.close();
        }
        if (verifier != null) {
            verifier.close();
        }
        MotoDynamo.deleteTables(dynamo, tables);
    }

    private static String env(String name) {
        String v = System.getenv(name);
        if (v == null || v.isBlank()) {
            fail(name + " is not set: run via scripts/test (or `scripts/devnet up && source .devnet/env`)");
        }
        return v;
    }

    private record Run(int exit, JsonNode json, String err) {
    }

    private static Run cli(String... args) throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = FlywheelCli.run(args, new PrintWriter(out), new PrintWriter(err));
        String text = out.toString().strip();
        String last = text.isEmpty() ? "{}" : text.substring(text.lastIndexOf('\n') + 1);
        return new Run(exit, JSON.readTree(last), err.toString());
    }

    /** The owner wallet: Anvil's account from the devnet, else a fresh key. */
    private Path ownerKey() throws Exception {
        String file = System.getenv("FLYWHEEL_DEVNET_OWNER_KEY_FILE");
        if (file != null && Files.isReadable(Path.of(file))) {
            return Path.of(file);
        }
        Path generated = dir.resolve("owner.key");
        Files.writeString(generated, "0x" + org.web3j.crypto.Keys.createEcKeyPair().getPrivateKey().toString(16));
        return generated;
    }

    /** Publishes one proof over MQTT/mTLS and hands what the broker delivered to the verifier as the IoT rule + SQS would. */
    private String publishAndVerify(String deviceId, Path cert, Path tlsKey, DeviceSigningKey key, long seq) throws Exception {
        byte[] proof = ProofCodec.encode(deviceId, seq, Instant.now(), null, new SensorReading("temperature", 21.5, "celsius"), key);
        try (DeviceClient device = DeviceClient.builder(deviceId, cert, tlsKey, MqttEndpoint.fromEnv()).build()) {
            device.connect();
            device.publishProof(proof).get(10, TimeUnit.SECONDS);
        }
        DeviceClient.InboundMessage m;
        do {
            m = published.poll(10, TimeUnit.SECONDS);
            assertNotNull(m, "the broker did not deliver the proof of " + deviceId);
        } while (!m.topic().equals(Topics.proofs(deviceId)));
        String body = JSON.writeValueAsString(Map.of("payload", Base64.getEncoder().encodeToString(m.payload()),
                "thing", Topics.deviceIdOf(m.topic()), "topic", m.topic(), "receivedAt", System.currentTimeMillis()));
        SQSEvent.SQSMessage msg = new SQSEvent.SQSMessage();
        String deliveryId = "onboarding-" + UUID.randomUUID();
        msg.setMessageId(deliveryId);
        msg.setBody(body);
        msg.setEventSource("aws:sqs");
        msg.setReceiptHandle("rh-" + deliveryId);
        SQSEvent event = new SQSEvent();
        event.setRecords(List.of(msg));
        assertTrue(verifier.handleRequest(event, null).getBatchItemFailures().isEmpty());
        return verdict(deliveryId);
    }

    /** "accepted" or the rejection reason the verifier recorded for a delivery. */
    private static String verdict(String deliveryId) {
        for (Map<String, AttributeValue> item : dynamo.scan(s -> s.tableName(tables.ledger()).consistentRead(true)).items()) {
            if ("VERDICT".equals(item.get("sk").s()) && item.get("pk").s().endsWith(deliveryId)) {
                String outcome = item.get("outcome").s();
                return "accepted".equals(outcome) ? outcome : item.get("reason").s();
            }
        }
        return fail("no verdict recorded for " + deliveryId);
    }

    @Test
    void onboardWithTheCliPublishThenRevoke() throws Exception {
        String id = "cli-" + UUID.randomUUID().toString().substring(0, 8);
        Path owner = ownerKey();
        String ownerAddress = KeyFiles.readOwnerKey(owner).getAddress().toLowerCase();

        Run keygen = cli("keygen", "--device-id", id, "--scheme", "p256-sha256", "--out", dir.toString());
        assertEquals(0, keygen.exit(), keygen.err());
        Path signing = Path.of(keygen.json().path("signingKey").asText());
        Path tlsKey = Path.of(keygen.json().path("tlsKey").asText());
        Path csr = Path.of(keygen.json().path("csr").asText());
        Path binding = dir.resolve("binding.json");

        // Device side and owner side sign the same binding (nonce 1 = first owner).
        Run deviceSigned = cli("sign-binding", "--binding", binding.toString(), "--device-key", signing.toString(),
                "--owner", ownerAddress, "--nonce", "1", "--chain-id", Long.toString(CHAIN));
        assertEquals(0, deviceSigned.exit(), deviceSigned.err());
        Run ownerSigned = cli("sign-binding", "--binding", binding.toString(), "--owner-key", owner.toString());
        assertEquals(0, ownerSigned.exit(), ownerSigned.err());

        Path cert = dir.resolve(id + ".cert.pem");
        Run register = cli("register", "--api", api, "--device-key", signing.toString(), "--csr", csr.toString(),
                "--binding", binding.toString(), "--maker", "acme-labs", "--cert-out", cert.toString());
        assertEquals(0, register.exit(), register.json() + register.err());
        assertEquals(ownerAddress, register.json().path("owner").asText());
        String certId = register.json().path("certificateId").asText();
        assertEquals("ACTIVE", iot.describeCertificate(b -> b.certificateId(certId)).certificateDescription().statusAsString());

        // The same binding submitted again is refused (exit 2, reason code on stdout).
        Run again = cli("register", "--api", api, "--device-key", signing.toString(), "--csr", csr.toString(),
                "--binding", binding.toString(), "--maker", "acme-labs");
        assertEquals(FlywheelCli.REFUSED, again.exit());
        assertEquals("already_registered", again.json().path("error").asText());
        Run replayedAsTransfer = cli("transfer", "--api", api, "--device-id", id, "--binding", binding.toString());
        assertEquals(FlywheelCli.REFUSED, replayedAsTransfer.exit());
        assertEquals("stale_nonce", replayedAsTransfer.json().path("error").asText());

        // Location, asserted by the owner.
        Run located = cli("assert-location", "--api", api, "--device-id", id, "--h3", "8b2a100d2d1bfff", "--gain", "55",
                "--elevation", "12", "--owner-key", owner.toString(), "--chain-id", Long.toString(CHAIN));
        assertEquals(0, located.exit(), located.json().toString());
        assertEquals("8b2a100d2d1bfff", located.json().path("location").path("h3Cell").asText());

        // The issued certificate connects to Mosquitto and the proof is accepted.
        DeviceSigningKey key = KeyFiles.readDeviceKey(signing).key();
        assertEquals("accepted", publishAndVerify(id, cert, tlsKey, key, 1));

        // Revoke: certificate INACTIVE in IoT, the next proof rejected device_revoked.
        Run revoke = cli("revoke", "--api", api, "--device-id", id, "--reason", "stolen from site 12");
        assertEquals(0, revoke.exit(), revoke.json().toString());
        assertEquals("revoked", revoke.json().path("status").asText());
        assertEquals("INACTIVE", iot.describeCertificate(b -> b.certificateId(certId)).certificateDescription().statusAsString());
        assertEquals("device_revoked", publishAndVerify(id, cert, tlsKey, key, 2));

        Run show = cli("show", "--api", api, "--device-id", id);
        assertEquals(0, show.exit());
        assertEquals("stolen from site 12", show.json().path("statusReason").asText());
        assertEquals(1, show.json().path("ownerHistory").size());
        assertEquals(1, show.json().path("locationHistory").size());
        assertEquals("REVOKED", show.json().path("statusHistory").get(0).path("fields").path("to").asText());
    }

    @Test
    void aBindingWithOneSignatureMissingIsRefusedByTheRegistry() throws Exception {
        String id = "cli-" + UUID.randomUUID().toString().substring(0, 8);
        Path owner = ownerKey();
        String ownerAddress = KeyFiles.readOwnerKey(owner).getAddress().toLowerCase();
        Run keygen = cli("keygen", "--device-id", id, "--out", dir.toString());
        Path signing = Path.of(keygen.json().path("signingKey").asText());
        Path csr = Path.of(keygen.json().path("csr").asText());

        Path deviceOnly = dir.resolve("device-only.json");
        assertEquals(0, cli("sign-binding", "--binding", deviceOnly.toString(), "--device-key", signing.toString(),
                "--owner", ownerAddress, "--nonce", "1", "--chain-id", Long.toString(CHAIN)).exit());
        Run r = cli("register", "--api", api, "--device-key", signing.toString(), "--csr", csr.toString(),
                "--binding", deviceOnly.toString(), "--maker", "acme-labs");
        assertEquals(FlywheelCli.REFUSED, r.exit());
        assertEquals("missing_owner_signature", r.json().path("error").asText());

        Path ownerOnly = dir.resolve("owner-only.json");
        assertEquals(0, cli("sign-binding", "--binding", ownerOnly.toString(), "--owner-key", owner.toString(),
                "--device-id", id, "--nonce", "1", "--chain-id", Long.toString(CHAIN)).exit());
        r = cli("register", "--api", api, "--device-key", signing.toString(), "--csr", csr.toString(),
                "--binding", ownerOnly.toString(), "--maker", "acme-labs");
        assertEquals(FlywheelCli.REFUSED, r.exit());
        assertEquals("missing_device_signature", r.json().path("error").asText());

        assertEquals("unknown_device", cli("show", "--api", api, "--device-id", id).json().path("error").asText());
        assertTrue(iot.listThings(b -> b.maxResults(250)).things().stream().noneMatch(t -> t.thingName().equals(id)));
        String csrText = Files.readString(csr, StandardCharsets.US_ASCII);
        assertTrue(csrText.contains("CERTIFICATE REQUEST"));
    }
}
