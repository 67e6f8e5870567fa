package dev.flywheel.dynamodb;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@code BatchGetItem} in chunks of its 100-key limit, unprocessed keys asked again a few times: one request per 100 items
 * instead of one per item, which is what a verifier batch of 100 proofs needs of each table it reads.
 */
final class BatchReads {
    private static final int MAX_KEYS = 100;
    private static final int ROUNDS = 5;

    /** The items found, and the keys DynamoDB left unprocessed (neither found nor known to be absent). */
    record Found(List<Map<String, AttributeValue>> items, List<Map<String, AttributeValue>> unprocessed) {
        /** The items, for a caller that must not take a missing item for an absent one. */
        List<Map<String, AttributeValue>> all() {
            if (!unprocessed.isEmpty()) {
                throw new IllegalStateException("DynamoDB left " + unprocessed.size() + " keys unprocessed after retries");
            }
            return items;
        }
    }

    private BatchReads() {
    }

    static Found get(DynamoDbClient dynamo, String table, List<Map<String, AttributeValue>> keys, boolean consistent) {
        return get(dynamo, table, keys, b -> b.consistentRead(consistent));
    }

    /** @param shape read options for every chunk (consistency, projection and its attribute names) */
    static Found get(DynamoDbClient dynamo, String table, List<Map<String, AttributeValue>> keys,
                     Consumer<KeysAndAttributes.Builder> shape) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        List<Map<String, AttributeValue>> unprocessed = new ArrayList<>();
        for (int i = 0; i < keys.size(); i += MAX_KEYS) {
            KeysAndAttributes.Builder chunk = KeysAndAttributes.builder().keys(keys.subList(i, Math.min(keys.size(), i + MAX_KEYS)));
            shape.accept(chunk);
            Map<String, KeysAndAttributes> request = Map.of(table, chunk.build());
            for (int round = 0; round < ROUNDS && !request.isEmpty(); round++) {
                Map<String, KeysAndAttributes> ask = request;
                var response = dynamo.batchGetItem(b -> b.requestItems(ask));
                items.addAll(response.responses().getOrDefault(table, List.of()));
                request = response.unprocessedKeys();
            }
            if (request.containsKey(table)) {
                unprocessed.addAll(request.get(table).keys());
            }
        }
        return new Found(items, unprocessed);
    }
}
