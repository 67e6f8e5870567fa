package dev.flywheel.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flywheel.dynamodb.TableNames;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every function has a sample event in {@code events/<function dir>/}, and every sample event is fed to the
 * handler inside the function's built jar, as Lambda would: the jar in its own class loader, the no-argument
 * constructor, the JSON event deserialized into the handler's input type, a {@code Context}. Configuration goes in
 * as system properties (Micronaut reads them like the environment variables the template sets), the tables are the
 * template's on the devnet's moto, the chain is the devnet's Anvil with a distributor the sandbox deploys. Each function's answer is checked for what a
 * handled event means there (below).
 */
class SampleEventsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Sandbox sandbox;
    private static DynamoDbClient dynamo;
    private static TableNames tables;

    @BeforeAll
    static void setUp() {
        sandbox = new Sandbox();
        dynamo = sandbox.dynamo;
        tables = sandbox.tables;
    }

    @AfterAll
    static void tearDown() {
        if (sandbox != null) {
            sandbox.close();
        }
    }

    @Test
    void everyFunctionHasASampleEventAndItsJarHandlesIt() throws Exception {
        List<FunctionArtifact> functions = FunctionArtifact.all(Template.load());
        List<String> missing = new ArrayList<>();
        java.util.Map<Path, java.util.Set<Path>> taken = new java.util.HashMap<>();
        for (FunctionArtifact f : functions) {
            if (f.events().isEmpty()) {
                missing.add(f.label() + ": no *.json in " + f.eventsDir() + " that its handler's input type takes");
            }
            taken.computeIfAbsent(f.eventsDir(), d -> new java.util.TreeSet<>()).addAll(f.events());
        }
        for (FunctionArtifact f : functions) {
            for (Path event : f.allEvents()) {
                if (!taken.get(f.eventsDir()).contains(event)) {
                    missing.add(event + ": no entry point of " + f.logicalId() + " takes it");
                }
            }
            if (!EXPECTATIONS.containsKey(f.logicalId())) {
                missing.add(f.logicalId() + ": SampleEventsIT has no expectation for it (add one below)");
            }
        }
        assertEquals(List.of(), missing, String.join("\n", missing));
        for (FunctionArtifact f : functions) {
            for (Path event : f.events()) {
                JsonNode answer = JarInvoker.invoke(f, event, sandbox.properties(f.logicalId()));
                System.out.printf("%-24s %-40s -> %s%n", f.label(), f.moduleDir() + "/" + event.getFileName(), abbreviate(answer));
                EXPECTATIONS.get(f.logicalId()).accept(answer);
            }
        }
    }

    /** What a handled sample event answers, per function. */
    private static final Map<String, Consumer<JsonNode>> EXPECTATIONS = Map.of(
            // Both records get a recorded verdict (accepted or a rejection reason): none is returned for redelivery.
            "ProofVerifierFunction", a -> {
                assertTrue(a.has("batchItemFailures"), a.toString());
                assertEquals(0, a.path("batchItemFailures").size(), "records sent back for retry: " + a);
                assertTrue(dynamo.scan(b -> b.tableName(tables.ledger())).count() > 0, "the verifier recorded no verdict");
            },
            "EpochCloserFunction", a -> assertTrue(a.path("closed").isArray(), a.toString()),
            // The closer (fed first) closed epochs without device work, whose only leaves are the configuration's
            // operator and treasury cuts: the settler publishes the newest root to the sandbox's distributor on Anvil.
            "SettlerFunction", a -> {
                assertTrue(a.path("epoch").isNumber(), a.toString());
                assertTrue(a.path("root").asText().matches("0x[0-9a-f]{64}"), a.toString());
                assertTrue(a.path("txHash").asText().matches("0x[0-9a-f]{64}"), a.toString());
                var onChain = sandbox.roots();
                assertTrue(a.path("root").asText().equalsIgnoreCase(onChain.activeRootHex())
                        || a.path("root").asText().equalsIgnoreCase(onChain.pendingRootHex()), "distributor holds " + onChain);
            },
            // The claims API reads the distributor's roots on chain; the sample's owner has no leaf under them: a 404
            // that names the chain's state (no active root yet, or the active root's epoch).
            "ClaimsApiFunction", a -> {
                assertEquals(404, a.path("statusCode").asInt(), a.toString());
                String body = a.path("body").asText();
                assertTrue(body.contains("nothing_to_claim") && (body.contains("under the active root of epoch")
                        || body.contains("no root is active on chain yet")), a.toString());
            },
            "DeviceRegistryFunction", a -> {
                assertEquals(404, a.path("statusCode").asInt(), a.toString());
                assertTrue(a.path("body").asText().contains("dev-0001") || a.path("body").asText().contains("not_found"), a.toString());
            },
            // A value for the current period, derived from Anvil's newest finalized block and stored.
            "NetworkEntropyFunction", a -> {
                assertTrue(a.path("entropy").asText().matches("[0-9a-f]{64}"), a.toString());
                assertTrue(a.path("blockHash").asText().startsWith("0x"), a.toString());
            });

    private static String abbreviate(JsonNode answer) {
        String s = answer.toString();
        return s.length() > 160 ? s.substring(0, 157) + "..." : s;
    }
}
