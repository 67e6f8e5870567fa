package dev.flywheel.dynamodb;

import dev.flywheel.core.types.coverage.CoverageResult;
import dev.flywheel.core.types.coverage.ReciprocityHistory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;

import static dev.flywheel.dynamodb.Attr.n;
import static dev.flywheel.dynamodb.Attr.num;

/**
 * Each device's latest coverage activity per role, {@code CR#<deviceId> / BEACONED | WITNESSED} in the proof
 * ledger (attribute {@code at}, Unix ms). Updates only move forward in time, so applying the same updates
 * twice, or an older one late, changes nothing.
 */
public final class DynamoReciprocityHistory implements ReciprocityHistory {
    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoReciprocityHistory(DynamoDbClient dynamo, TableNames tables) {
        this.dynamo = dynamo;
        this.table = tables.ledger();
    }

    @Override
    public Optional<Instant> lastWitnessed(String deviceId) {
        return read(deviceId, CoverageResult.Role.WITNESSED);
    }

    @Override
    public Optional<Instant> lastBeaconed(String deviceId) {
        return read(deviceId, CoverageResult.Role.BEACONED);
    }

    private Optional<Instant> read(String deviceId, CoverageResult.Role role) {
        Map<String, AttributeValue> item = dynamo.getItem(g -> g.tableName(table).key(key(deviceId, role))
                .consistentRead(true)).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(num(item, "at")));
    }

    /** Keeps the latest instant per device and role. */
    public void record(Collection<CoverageResult.ReciprocityUpdate> updates) {
        for (CoverageResult.ReciprocityUpdate u : updates) {
            record(u.deviceId(), u.role(), u.at());
        }
    }

    public void record(String deviceId, CoverageResult.Role role, Instant at) {
        try {
            dynamo.updateItem(b -> b.tableName(table).key(key(deviceId, role))
                    .updateExpression("SET #at = :at")
                    .conditionExpression("attribute_not_exists(#at) OR #at < :at")
                    .expressionAttributeNames(Map.of("#at", "at"))
                    .expressionAttributeValues(Map.of(":at", n(at.toEpochMilli()))));
        } catch (ConditionalCheckFailedException newerKept) {
            // a later activity is already recorded
        }
    }

    private static Map<String, AttributeValue> key(String deviceId, CoverageResult.Role role) {
        return DynamoProofLedger.key("CR#" + deviceId, role.name());
    }
}
