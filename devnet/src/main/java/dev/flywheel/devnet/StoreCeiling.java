package dev.flywheel.devnet;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The store's raw ceiling for the verifier's writes, measured on the same DynamoDB endpoint: per proof, what the ledger
 * does for an accepted proof of a known device (an eventually consistent {@code GetItem} of the device's state item
 * and a {@code PutItem} of its next version conditional on the version read), from as many concurrent clients as the
 * verifier runs, on a table of its own with the ledger's key schema and items of the measured size. No verification,
 * queue, paper trail or receipt: the pipeline's proofs/s divided by this is the share of the store's capacity it uses.
 */
public final class StoreCeiling {

    /** @param proofsPerSecond get+put pairs per second over the measured time */
    public record Result(double proofsPerSecond, long proofs, int threads, int itemBytes, double seconds) {
    }

    private StoreCeiling() {
    }

    public static Result measure(DynamoDbClient dynamo, String table, int devices, int threads, int itemBytes,
                                 Duration duration) throws InterruptedException {
        dynamo.createTable(b -> b.tableName(table).billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(AttributeDefinition.builder().attributeName("pk").attributeType(ScalarAttributeType.S).build(),
                        AttributeDefinition.builder().attributeName("sk").attributeType(ScalarAttributeType.S).build())
                .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build(),
                        KeySchemaElement.builder().attributeName("sk").keyType(KeyType.RANGE).build()));
        String padding = "x".repeat(Math.max(0, itemBytes - 60));
        AtomicLong done = new AtomicLong();
        long end = System.nanoTime() + duration.toNanos();
        long start = System.nanoTime();
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            for (int t = 0; t < threads; t++) {
                final int thread = t;
                pool.submit(() -> {
                    // Each client owns its devices (as the verifier's per-device workers do): no conflicts to retry.
                    for (long i = thread; System.nanoTime() < end; i += threads) {
                        String pk = "P#ceiling-" + (i % devices);
                        Map<String, AttributeValue> key = Map.of("pk", AttributeValue.fromS(pk), "sk", AttributeValue.fromS("S"));
                        Map<String, AttributeValue> old = dynamo.getItem(g -> g.tableName(table).key(key)).item();
                        long version = old == null || !old.containsKey("v") ? 0 : Long.parseLong(old.get("v").n());
                        Map<String, AttributeValue> item = new HashMap<>(key);
                        item.put("v", AttributeValue.fromN(Long.toString(version + 1)));
                        item.put("body", AttributeValue.fromS(padding));
                        if (version == 0) {
                            dynamo.putItem(p -> p.tableName(table).item(item).conditionExpression("attribute_not_exists(pk)"));
                        } else {
                            dynamo.putItem(p -> p.tableName(table).item(item).conditionExpression("v = :v")
                                    .expressionAttributeValues(Map.of(":v", AttributeValue.fromN(Long.toString(version)))));
                        }
                        done.incrementAndGet();
                    }
                    return null;
                });
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        dynamo.deleteTable(b -> b.tableName(table));
        return new Result(done.get() / seconds, done.get(), threads, itemBytes, seconds);
    }
}
