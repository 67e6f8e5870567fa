package dev.flywheel.dynamodb;

import dev.flywheel.testing.MotoDynamo;
import dev.flywheel.testing.MotoTables;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The meter's read units on a real moto_server (moto reports no consumed capacity, so the meter's sizing rules are what
 * cost figures rest on): items of up to 4 KB cost one unit read strongly consistent and half a unit eventually
 * consistent, whether read one by one or in a BatchGetItem, and a 9 KB item read consistently costs three.
 */
class DynamoCapacityMeterIT {
    @RegisterExtension
    static final MotoTables MOTO = new MotoTables();

    @Test
    void readsAreBilledPerItemByConsistencyAndSize() {
        String table = MOTO.tables().ledger();
        for (int i = 0; i < 3; i++) {
            int n = i;
            MOTO.dynamo().putItem(p -> p.tableName(table).item(Map.of("pk", AttributeValue.fromS("P#meter-" + n),
                    "sk", AttributeValue.fromS("STATE"), "pad", AttributeValue.fromS("x".repeat(n == 2 ? 9_000 : 100)))));
        }
        List<Map<String, AttributeValue>> small = List.of(key(0), key(1));
        DynamoCapacityMeter meter = new DynamoCapacityMeter();
        try (DynamoDbClient metered = DynamoDbClient.builder().endpointOverride(MotoDynamo.endpoint())
                .region(Region.of(System.getProperty("aws.region", System.getenv("AWS_REGION"))))
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(ClientOverrideConfiguration.builder().addExecutionInterceptor(meter).build()).build()) {
            metered.batchGetItem(b -> b.requestItems(Map.of(table, KeysAndAttributes.builder().keys(small).consistentRead(false).build())));
            assertEquals(1.0, meter.units().read(), "two small items, eventually consistent");

            metered.batchGetItem(b -> b.requestItems(Map.of(table, KeysAndAttributes.builder().keys(small).consistentRead(true).build())));
            assertEquals(3.0, meter.units().read(), "then two small items, strongly consistent");

            metered.getItem(g -> g.tableName(table).key(key(0)));
            assertEquals(3.5, meter.units().read(), "then one small item, eventually consistent");

            metered.getItem(g -> g.tableName(table).key(key(2)).consistentRead(true));
            assertEquals(6.5, meter.units().read(), "then a 9 KB item, strongly consistent: three 4 KB units");
        }
    }

    private static Map<String, AttributeValue> key(int n) {
        return Map.of("pk", AttributeValue.fromS("P#meter-" + n), "sk", AttributeValue.fromS("STATE"));
    }
}
