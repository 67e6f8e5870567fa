package dev.flywheel.cli;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.flywheel.core.crypto.DeviceSigningKey;
import dev.flywheel.core.proof.ProofCodec;
import dev.flywheel.core.proof.SensorReading;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The operator's denylist end to end on the devnet (moto): a device onboarded with the CLI has its proofs
 * accepted; {@code flywheel denylist add} puts it on the list through the device-registry function
 * ({@code PUT /denylist/{id}}), after which the verifier rejects its next proof {@code denylisted};
 * {@code flywheel denylist remove} restores acceptance. The verifier's denylist cache is off
 * ({@code flywheel.denylist-cache-seconds = 0}) so each proof sees the current list. The proofs go to the
 * verifier as the IoT rule + SQS would hand them over (the MQTT leg is covered by OnboardingEndToEndIT).
 */
class DenylistCliIT {
    private static final long CHAIN = 80002;
    private static final ObjectMapper JSON = new ObjectMapper();

    private static DynamoDbClient dynamo;
    private static IotClient iot;
    private static TableNames tables;
    private static DeviceRegistryHandler registry;
    private static ProofVerifierHandler verifier;
    private static HttpServer http;
    private static String api;

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
        p.put("flywheel.denylist-cache-seconds", 0);
        p.put("flywheel.chain.id", CHAIN);
        p.put("flywheel.iot.device-policy", policy);
        p.put("flywheel.certificates.issuer", "local-ca");
        p.put("flywheel.certificates.local-ca.cert", env("FLYWHEEL_DEVNET_CA_CERT"));
        p.put("flywheel.certificates.local-ca.key", env("FLYWHEEL_DEVNET_CA_KEY"));
        registry = new DeviceRegistryHandler(ApplicationContext.builder().properties(p));
        verifier = new ProofVerifierHandler(ApplicationContext.builder().properties(p));

        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        LocalHttpRoute route = new LocalHttpRoute(registry, () -> null);
        http.createContext("/devices", route);
        http.createContext("/denylist", route);
        http.start();
        api = "http://127.0.0.1:" + http.getAddress().getPort();
    }

    @AfterAll
    static void stop() {
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

    /** Hands one proof to the verifier as the IoT rule + SQS would; returns "accepted" or the rejection reason. */
    private static String verify(String deviceId, DeviceSigningKey key, long seq) throws Exception {
        byte[] proof = ProofCodec.encode(deviceId, seq, Instant.now(), null, new SensorReading("temperature", 21.5, "celsius"), key);
        String body = JSON.writeValueAsString(Map.of("payload", Base64.getEncoder().encodeToString(proof),
                "thing", deviceId, "topic", Topics.proofs(deviceId), "receivedAt", System.currentTimeMillis()));
        SQSEvent.SQSMessage msg = new SQSEvent.SQSMessage();
        String deliveryId = "denylist-" + UUID.randomUUID();
        msg.setMessageId(deliveryId);
        msg.setBody(body);
        msg.setEventSource("aws:sqs");
        msg.setReceiptHandle("rh-" + deliveryId);
        SQSEvent event = new SQSEvent();
        event.setRecords(List.of(msg));
        assertTrue(verifier.handleRequest(event, null).getBatchItemFailures().isEmpty());
        for (Map<String, AttributeValue> item : dynamo.scan(s -> s.tableName(tables.ledger()).consistentRead(true)).items()) {
            if ("VERDICT".equals(item.get("sk").s()) && item.get("pk").s().endsWith(deliveryId)) {
                String outcome = item.get("outcome").s();
                return "accepted".equals(outcome) ? outcome : item.get("reason").s();
            }
        }
        return fail("no verdict recorded for " + deliveryId);
    }

    private Path ownerKey() throws Exception {
        String file = System.getenv("FLYWHEEL_DEVNET_OWNER_KEY_FILE");
        if (file != null && Files.isReadable(Path.of(file))) {
            return Path.of(file);
        }
        Path generated = dir.resolve("owner.key");
        Files.writeString(generated, "0x" + org.web3j.crypto.Keys.createEcKeyPair().getPrivateKey().toString(16));
        return generated;
    }

    @Test
    void aDenylistedDeviceIsRejectedUntilRemoved() throws Exception {
        String id = "deny-" + UUID.randomUUID().toString().substring(0, 8);
        Path owner = ownerKey();
        String ownerAddress = KeyFiles.readOwnerKey(owner).getAddress().toLowerCase();
        Run keygen = cli("keygen", "--device-id", id, "--out", dir.toString());
        assertEquals(0, keygen.exit(), keygen.err());
        Path signing = Path.of(keygen.json().path("signingKey").asText());
        Path csr = Path.of(keygen.json().path("csr").asText());
        Path binding = dir.resolve("binding.json");
        assertEquals(0, cli("sign-binding", "--binding", binding.toString(), "--device-key", signing.toString(),
                "--owner", ownerAddress, "--nonce", "1", "--chain-id", Long.toString(CHAIN)).exit());
        assertEquals(0, cli("sign-binding", "--binding", binding.toString(), "--owner-key", owner.toString()).exit());
        Run register = cli("register", "--api", api, "--device-key", signing.toString(), "--csr", csr.toString(),
                "--binding", binding.toString(), "--maker", "acme-labs");
        assertEquals(0, register.exit(), register.json() + register.err());
        DeviceSigningKey key = KeyFiles.readDeviceKey(signing).key();

        assertEquals("accepted", verify(id, key, 1));
        Run notListed = cli("denylist", "show", "--api", api, "--device-id", id);
        assertEquals(FlywheelCli.REFUSED, notListed.exit());
        assertEquals("not_denylisted", notListed.json().path("error").asText());

        Run add = cli("denylist", "add", "--api", api, "--device-id", id, "--reason", "spoofing GPS (ticket 42)");
        assertEquals(0, add.exit(), add.json() + add.err());
        assertTrue(add.json().path("denylisted").asBoolean());
        assertEquals("spoofing GPS (ticket 42)", add.json().path("reason").asText());
        Run show = cli("denylist", "show", "--api", api, "--device-id", id);
        assertEquals(0, show.exit());
        assertEquals("spoofing GPS (ticket 42)", show.json().path("reason").asText());
        assertFalse(show.json().path("addedAt").asText().isEmpty());

        assertEquals("denylisted", verify(id, key, 2));

        Run remove = cli("denylist", "remove", "--api", api, "--device-id", id);
        assertEquals(0, remove.exit(), remove.json().toString());
        assertTrue(remove.json().path("removed").asBoolean());
        assertEquals("accepted", verify(id, key, 3));

        // Removing again changes nothing and says so; bad input is refused with a reason code.
        Run again = cli("denylist", "remove", "--api", api, "--device-id", id);
        assertEquals(0, again.exit());
        assertFalse(again.json().path("removed").asBoolean());
        Run noReason = cli("denylist", "add", "--api", api, "--device-id", id, "--reason", " ");
        assertEquals(FlywheelCli.REFUSED, noReason.exit());
        assertEquals("invalid_request", noReason.json().path("error").asText());
        Run badId = cli("denylist", "add", "--api", api, "--device-id", "bad%23id", "--reason", "x");
        assertEquals(FlywheelCli.REFUSED, badId.exit());
        assertEquals("invalid_device_id", badId.json().path("error").asText());
        assertEquals("not_denylisted", cli("denylist", "show", "--api", api, "--device-id", id).json().path("error").asText());
    }
}
