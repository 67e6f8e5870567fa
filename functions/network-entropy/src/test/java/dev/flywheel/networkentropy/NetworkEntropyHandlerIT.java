package dev.flywheel.networkentropy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.flywheel.core.crypto.DeviceSigningKey;
import dev.flywheel.core.crypto.Encoding;
import dev.flywheel.core.crypto.SignatureScheme;
import dev.flywheel.core.entropy.EntropyBeacon;
import dev.flywheel.core.entropy.EntropyWindow;
import dev.flywheel.core.entropy.NetworkEntropy;
import dev.flywheel.core.types.uptime.ChallengeResponse;
import dev.flywheel.core.proof.ProofCodec;
import dev.flywheel.core.proof.ProofEnvelope;
import dev.flywheel.core.types.uptime.IssuedChallenge;
import dev.flywheel.core.types.uptime.UptimeChallenges;
import dev.flywheel.core.types.uptime.UptimeReason;
import dev.flywheel.core.types.uptime.UptimeResponseRule;
import dev.flywheel.core.proof.DeviceRecord;
import dev.flywheel.core.proof.DeviceStatus;
import dev.flywheel.dynamodb.DynamoChallengeLedger;
import dev.flywheel.dynamodb.DynamoDeviceRegistry;
import dev.flywheel.dynamodb.DynamoEntropyLedger;
import dev.flywheel.dynamodb.TableNames;
import dev.flywheel.testing.MotoDynamo;
import io.micronaut.context.ApplicationContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The entropy function against the devnet's real servers: moto (DynamoDB, Secrets Manager) and Anvil
 * (the finalized block), with a local HTTP server standing in for the IoT data plane's Publish.
 */
class NetworkEntropyHandlerIT {
    private static final String NETWORK = "flywheel-it";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static DynamoDbClient dynamo;
    private static SecretsManagerClient secrets;
    private static TableNames tables;
    private static String entropyTable;
    private static String secretId;
    private static HttpServer dataPlane;
    private static final List<Map.Entry<String, byte[]>> PUBLISHED = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void setUp() throws IOException {
        dynamo = MotoDynamo.client();
        tables = MotoDynamo.createTables(dynamo);
        entropyTable = tables.devices().replaceFirst("-devices$", "-entropy");
        String rpc = System.getenv("FLYWHEEL_CHAIN_RPC");
        if (rpc == null || rpc.isBlank()) {
            throw new IllegalStateException("FLYWHEEL_CHAIN_RPC is not set: source .devnet/env (scripts/devnet up starts Anvil)");
        }
        secrets = SecretsManagerClient.builder().endpointOverride(MotoDynamo.endpoint())
                .httpClient(UrlConnectionHttpClient.create()).build();
        secretId = "it/entropy-rpc-" + UUID.randomUUID().toString().substring(0, 8);
        secrets.createSecret(b -> b.name(secretId).secretString(rpc));

        dataPlane = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        dataPlane.createContext("/topics/", exchange -> {
            String topic = URLDecoder.decode(exchange.getRequestURI().getRawPath().substring("/topics/".length()), StandardCharsets.UTF_8);
            PUBLISHED.add(Map.entry(topic, exchange.getRequestBody().readAllBytes()));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        dataPlane.start();
    }

    @AfterAll
    static void tearDown() {
        if (dataPlane != null) {
            dataPlane.stop(0);
        }
        if (secrets != null) {
            try {
                secrets.deleteSecret(b -> b.secretId(secretId).forceDeleteWithoutRecovery(true));
            } catch (RuntimeException ignored) {
                // best effort
            }
            secrets.close();
        }
        MotoDynamo.deleteTables(dynamo, tables); // also drops the stack's entropy table
        if (dynamo != null) {
            dynamo.close();
        }
    }

    private static NetworkEntropyHandler handler(boolean publish) {
        return handler(publish, entropyTable);
    }

    private static NetworkEntropyHandler handler(boolean publish, String table) {
        return handler(publish, table, Map.of());
    }

    private static NetworkEntropyHandler handler(boolean publish, String table, Map<String, Object> extra) {
        Map<String, Object> properties = new java.util.HashMap<>(Map.of(
                "flywheel.entropy.table", table,
                "flywheel.entropy.network-id", NETWORK,
                "flywheel.chain.rpc-secret-id", secretId));
        if (publish) {
            properties.put("flywheel.iot-data.endpoint", "http://127.0.0.1:" + dataPlane.getAddress().getPort());
        }
        properties.putAll(extra);
        return new NetworkEntropyHandler(ApplicationContext.builder().properties(properties));
    }

    /** Keeps both runs of a test inside one 60 s period. */
    private static void awayFromAPeriodEnd() throws InterruptedException {
        long second = Instant.now().getEpochSecond() % 60;
        if (second >= 45) {
            Thread.sleep(Duration.ofSeconds(61 - second));
        }
    }

    @Test
    void storesOncePerPeriodAndPublishesTheStoredValue() throws Exception {
        awayFromAPeriodEnd();
        PUBLISHED.clear();
        Map<String, Object> first;
        Map<String, Object> second;
        try (NetworkEntropyHandler handler = handler(true)) {
            first = handler.handleRequest(Map.of(), null);
        }
        try (NetworkEntropyHandler handler = handler(true)) { // a fresh instance: a second run, as Lambda makes it
            second = handler.handleRequest(Map.of(), null);
        }
        assertEquals(true, first.get("created"));
        assertEquals(false, second.get("created"), "the period already had its value");
        assertEquals(first.get("entropy"), second.get("entropy"));
        assertEquals(true, second.get("published"));

        long period = ((Number) first.get("period")).longValue();
        long items = dynamo.scan(b -> b.tableName(entropyTable)).items().stream()
                .filter(i -> i.containsKey("period") && Long.parseLong(i.get("period").n()) == period).count();
        assertEquals(1, items, "one entropy value for the period");

        // Deterministic and recomputable from the block it names.
        EntropyBeacon beacon = new EntropyBeacon(NETWORK, EntropyBeacon.DEFAULT_PERIOD);
        NetworkEntropy recomputed = beacon.derive(period, Encoding.fromHex((String) first.get("blockHash")),
                ((Number) first.get("blockNumber")).longValue());
        assertEquals(recomputed.entropyHex(), first.get("entropy"));
        assertEquals(period * 60_000, ((Number) first.get("issuedAt")).longValue(), "issuedAt is the period start");

        // EntropyLookup finds it; the verifier's window accepts it for 180 s.
        var ledger = DynamoEntropyLedger.withDefaultRetention(dynamo, entropyTable);
        Instant issuedAt = ledger.issuedAt((String) first.get("entropy")).orElseThrow();
        assertEquals(Instant.ofEpochMilli(period * 60_000), issuedAt);
        assertTrue(EntropyWindow.defaults(ledger).check((String) first.get("entropy"), issuedAt.plusSeconds(180)).isEmpty());

        // Both runs published the stored value on the network topic.
        assertEquals(2, PUBLISHED.size());
        for (var message : PUBLISHED) {
            assertEquals("flywheel/v1/network/entropy", message.getKey());
            JsonNode m = JSON.readTree(message.getValue());
            assertEquals(first.get("entropy"), m.get("entropy").asText());
            assertEquals(period * 60_000, m.get("issuedAt").asLong());
            assertEquals(period, m.get("period").asLong());
            assertEquals(60, m.get("periodSeconds").asLong());
        }
    }

    @Test
    void withoutAnEndpointValuesAreStoredNotPublished() throws Exception {
        TableNames own = MotoDynamo.createTables(dynamo); // its own entropy table: the other test counts on a fresh period
        String table = own.devices().replaceFirst("-devices$", "-entropy");
        int before = PUBLISHED.size();
        try (NetworkEntropyHandler handler = handler(false, table)) {
            Map<String, Object> result = handler.handleRequest(Map.of(), null);
            assertEquals(true, result.get("created"));
            assertFalse((Boolean) result.get("published"));
            assertNotNull(result.get("entropy"));
        } finally {
            MotoDynamo.deleteTables(dynamo, own); // also drops the stack's entropy table
        }
        assertEquals(before, PUBLISHED.size());
    }

    @Test
    void issuesOneUptimeChallengePerPeriodToActiveNodesWithTheCapability() throws Exception {
        TableNames own = MotoDynamo.createTables(dynamo); // own entropy table: a fresh period value, no other test's devices
        String table = own.devices().replaceFirst("-devices$", "-entropy");
        String challengesTable = own.devices().replaceFirst("-devices$", "-challenges");
        DeviceSigningKey key = DeviceSigningKey.generate(SignatureScheme.ED25519, new SecureRandom());
        String owner = "0x1111111111111111111111111111111111111111";
        DynamoDeviceRegistry registry = new DynamoDeviceRegistry(dynamo, own.devices());
        DeviceRecord node = new DeviceRecord("node-up", SignatureScheme.ED25519, key.publicKey(), owner, DeviceStatus.ACTIVE, null);
        assertTrue(registry.register(node, "maker", Instant.now(), Set.of("uptime", "bandwidth")));
        assertTrue(registry.register(new DeviceRecord("sensor-1", SignatureScheme.ED25519, key.publicKey(), owner,
                DeviceStatus.ACTIVE, null), "maker", Instant.now()));
        assertTrue(registry.register(new DeviceRecord("node-suspended", SignatureScheme.ED25519, key.publicKey(), owner,
                DeviceStatus.SUSPENDED, null), "maker", Instant.now(), Set.of("uptime")));
        Map<String, Object> tablesProps = Map.of("flywheel.devices.table", own.devices(), "flywheel.challenges.table", challengesTable);
        try {
            awayFromAPeriodEnd();
            PUBLISHED.clear();
            Map<String, Object> first;
            Map<String, Object> second;
            try (NetworkEntropyHandler handler = handler(true, table, tablesProps)) {
                first = handler.handleRequest(Map.of(), null);
            }
            try (NetworkEntropyHandler handler = handler(true, table, tablesProps)) { // a second run of the period
                second = handler.handleRequest(Map.of(), null);
            }
            assertEquals(first.get("period"), second.get("period"));
            assertEquals(1, first.get("challengesEligible"));
            assertEquals(1, first.get("challengesIssued"));
            assertEquals(1, first.get("challengesPublished"));
            assertEquals(0, first.get("challengesFailed"));
            assertEquals(1, second.get("challengesEligible"));
            assertEquals(0, second.get("challengesIssued"), "the period's challenge was already issued");

            String entropy = (String) first.get("entropy");
            long period = ((Number) first.get("period")).longValue();
            String expected = UptimeChallenges.derive(entropy, period, "node-up");

            // Stored once, for node-up only.
            var items = dynamo.scan(b -> b.tableName(challengesTable)).items();
            assertEquals(1, items.size(), "one challenge in the table: " + items);
            assertEquals(expected, items.get(0).get("challenge").s());
            assertEquals("node-up", items.get(0).get("deviceId").s());

            // Published once, on node-up's own topic; nothing for the others.
            List<Map.Entry<String, byte[]>> challengeMessages = PUBLISHED.stream()
                    .filter(m -> m.getKey().endsWith("/challenges")).toList();
            assertEquals(1, challengeMessages.size());
            assertEquals("flywheel/v1/node-up/challenges", challengeMessages.get(0).getKey());
            JsonNode m = JSON.readTree(challengeMessages.get(0).getValue());
            assertEquals(expected, m.get("challenge").asText());
            assertEquals(30_000, m.get("deadlineMs").asLong());
            assertEquals(3, m.size());
            DynamoChallengeLedger ledger = new DynamoChallengeLedger(dynamo, challengesTable, Duration.ofDays(1));
            IssuedChallenge issued = ledger.find(expected).orElseThrow();
            assertEquals(issued.issuedAt().toEpochMilli(), m.get("issuedAt").asLong());
            assertTrue(issued.expected().isEmpty(), "timeliness only: no expected response");

            // The verifier's rule over the same ledger: an answer after the deadline is expired (and claims
            // nothing), an answer within it passes.
            UptimeResponseRule rule = UptimeResponseRule.defaults(ledger);
            ChallengeResponse body = new ChallengeResponse(expected,
                    UptimeChallenges.response(expected, Encoding.sha256("served".getBytes(StandardCharsets.UTF_8))), 42);
            Instant deadline = issued.issuedAt().plus(UptimeResponseRule.DEFAULT_DEADLINE);
            ProofEnvelope late = ProofCodec.decode(ProofCodec.encode("node-up", 1, deadline, null, body, key));
            var expired = rule.check(late, body, node, Optional.empty(), deadline.plusMillis(1));
            assertEquals(UptimeReason.CHALLENGE_EXPIRED, expired.orElseThrow().reason());
            ProofEnvelope timely = ProofCodec.decode(ProofCodec.encode("node-up", 2, issued.issuedAt(), null, body, key));
            assertEquals(Optional.empty(), rule.check(timely, body, node, Optional.empty(), deadline), "on the deadline: inclusive");
            assertEquals(Optional.empty(), ledger.claimAnswer(expected, timely.proofId()), "the timely proof holds the challenge");
        } finally {
            MotoDynamo.deleteTables(dynamo, own);
        }
    }
}
