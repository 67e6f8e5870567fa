package dev.flywheel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flywheel.devnet.Demo;
import dev.flywheel.devnet.DevnetConfig;
import dev.flywheel.dynamodb.TableNames;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * After a demo run on the devnet, {@code flywheel epoch recompute} reproduces every closed epoch's manifest
 * from the stored credits; after one device's stored work snapshot ({@code P#<device> / W#<epoch>}) is altered by hand it reports the difference.
 */
class DemoRecomputeIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Run(int code, JsonNode out, String err) {
    }

    private static Run recompute(long epoch, String stack, String chainId, String distributor) throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = FlywheelCli.run(new String[]{"epoch", "recompute", Long.toString(epoch), "--stack", stack, "--no-progress",
                        "--chain-id", chainId, "--distributor", distributor},
                new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString().isBlank() ? null : JSON.readTree(out.toString()), err.toString());
    }

    @Test
    void recomputeReproducesTheDemoEpochsThenNamesAnAlteredCredit() throws Exception {
        DevnetConfig base = DevnetConfig.fromEnvironment(System.getenv());
        DevnetConfig devnet = new DevnetConfig(base.repoRoot(), "it-recompute-" + System.nanoTime(), base.mqtt(), base.caCert(),
                base.caKey(), base.rulesEngineCert(), base.rulesEngineKey(), base.certsDir(), base.chainRpc(), base.chainId(),
                base.operatorKeyFile(), base.ownerKeyFile(), 0);
        Demo.Result result = new Demo().run(devnet, 6, 2, 10);
        assertTrue(result.accepted() > 0);

        TableNames tables = TableNames.forStack(devnet.stackName());
        long withCredits = -1;
        try (DynamoDbClient dynamo = DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create()).build()) {
            for (long e = 0; e <= result.epoch(); e++) {
                Run r = recompute(e, devnet.stackName(), Long.toString(devnet.chainId()), result.distributor());
                assertEquals(0, r.code(), "epoch " + e + ": " + r.out() + r.err());
                assertTrue(r.out().get("matches").asBoolean());
                assertEquals(0, r.out().get("differences").size());
                if (r.out().get("devices").asInt() > 0) {
                    withCredits = e;
                }
            }
            assertTrue(withCredits >= 0, "the demo credited some epoch");

            // One device's harvested work for the epoch (its snapshot P#<device> / W#<epoch>) altered by hand.
            String sk = "W#" + withCredits;
            List<Map<String, AttributeValue>> snapshots = dynamo.scan(q -> q.tableName(tables.ledger()).consistentRead(true)
                    .filterExpression("sk = :w").expressionAttributeValues(Map.of(":w", AttributeValue.fromS(sk)))).items();
            assertFalse(snapshots.isEmpty(), "epoch " + withCredits + " has work snapshots");
            Map<String, AttributeValue> altered = new HashMap<>(snapshots.getFirst());
            Map<String, AttributeValue> units = new HashMap<>(altered.get("units").m());
            String pool = units.keySet().iterator().next();
            units.put(pool, AttributeValue.fromN(Long.toString(Long.parseLong(units.get(pool).n()) + 41)));
            altered.put("units", AttributeValue.fromM(units));
            dynamo.putItem(p -> p.tableName(tables.ledger()).item(altered));
            String device = altered.get("pk").s().substring(2);

            Run r = recompute(withCredits, devnet.stackName(), Long.toString(devnet.chainId()), result.distributor());
            assertEquals(3, r.code(), r.out() + r.err());
            assertFalse(r.out().get("matches").asBoolean());
            String differences = r.out().get("differences").toString();
            assertTrue(differences.contains("allocations[device=" + device + "].units"), differences);
        }
    }
}
