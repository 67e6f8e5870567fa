package dev.flywheel.cli;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.flywheel.device.mqtt.Topics;
import dev.flywheel.devnet.LocalHttpRoute;
import dev.flywheel.dynamodb.TableNames;
import dev.flywheel.registry.DeviceRegistryHandler;
import dev.flywheel.testing.MotoDynamo;
import dev.flywheel.verifier.ProofVerifierHandler;
import io.micronaut.context.ApplicationContext;
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
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The harness the CLI's ITs share: fresh tables in moto, the device-registry function served over HTTP as
 * the devnet serves it ({@code /devices}, {@code /denylist}; certificates from the devnet CA, policy in moto
 * IoT), the verifier with its device and denylist caches off, the CLI run in-process, and proofs handed to
 * the verifier as the IoT rule + SQS would, with the verdict read back from the ledger.
 */
final class CliFixture implements AutoCloseable {
    static final long CHAIN = 80002;
    static final ObjectMapper JSON = new ObjectMapper();

    final DynamoDbClient dynamo;
    final IotClient iot;
    final TableNames tables;
    final DeviceRegistryHandler registry;
    final ProofVerifierHandler verifier;
    final HttpServer http;
    /** The registry API's base URL, for {@code --api}. */
    final String api;

    private CliFixture() throws Exception {
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
        // Each proof sees the registry and the denylist as they are now.
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

    static CliFixture start() throws Exception {
        return new CliFixture();
    }

    @Override
    public void close() {
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

    static String env(String name) {
        String v = System.getenv(name);
        if (v == null || v.isBlank()) {
            fail(name + " is not set: run via scripts/test (or `scripts/devnet up && source .devnet/env`)");
        }
        return v;
    }

    /** One CLI command's exit status, its last stdout line as JSON, and stderr. */
    record Run(int exit, JsonNode json, String err) {
    }

    static Run cli(String... args) throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = FlywheelCli.run(args, new PrintWriter(out), new PrintWriter(err));
        String text = out.toString().strip();
        String last = text.isEmpty() ? "{}" : text.substring(text.lastIndexOf('\n') + 1);
        return new Run(exit, JSON.readTree(last), err.toString());
    }

    /** The owner wallet: Anvil's account from the devnet, else a fresh key in {@code dir}. */
    static Path ownerKey(Path dir) throws Exception {
        String file = System.getenv("FLYWHEEL_DEVNET_OWNER_KEY_FILE");
        if (file != null && Files.isReadable(Path.of(file))) {
            return Path.of(file);
        }
        Path generated = dir.resolve("owner.key");
        Files.writeString(generated, "0x" + org.web3j.crypto.Keys.createEcKeyPair().getPrivateKey().toString(16));
        return generated;
    }

    /**
     * Hands {@code payload}, published by {@code deviceId}, to the verifier as the IoT rule + SQS would (one
     * message, a fresh delivery id); returns "accepted" or the rejection reason recorded for it.
     */
    String deliver(String deviceId, byte[] payload) throws Exception {
        String body = JSON.writeValueAsString(Map.of("payload", Base64.getEncoder().encodeToString(payload),
                "thing", deviceId, "topic", Topics.proofs(deviceId), "receivedAt", System.currentTimeMillis()));
        SQSEvent.SQSMessage msg = new SQSEvent.SQSMessage();
        String deliveryId = "cli-it-" + UUID.randomUUID();
        msg.setMessageId(deliveryId);
        msg.setBody(body);
        msg.setEventSource("aws:sqs");
        msg.setReceiptHandle("rh-" + deliveryId);
        SQSEvent event = new SQSEvent();
        event.setRecords(List.of(msg));
        assertTrue(verifier.handleRequest(event, null).getBatchItemFailures().isEmpty());
        // The new ledger keeps accepted verdicts in the device's state (guard) and rejections under V#<device>.
        var ledger = verifier.getApplicationContext().getBean(dev.flywheel.dynamodb.DynamoProofLedger.class);
        for (var v : ledger.verdictsForDevice(deviceId, 1000)) {
            if (deliveryId.equals(v.deliveryId())) {
                return "accepted".equals(v.outcome()) ? v.outcome() : v.reason();
            }
        }
        return fail("no verdict recorded for " + deliveryId);
    }
}
