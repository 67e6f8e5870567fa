package dev.flywheel.dynamodb;

import dev.flywheel.core.settlement.SettlementAlarms;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

import java.time.Instant;
import java.util.Map;

import static dev.flywheel.dynamodb.Attr.s;

/**
 * Settlement alarms in the settlements table, next to the journal: item {@code intentId = alarm#<key>},
 * created once with a conditional put, so only the first raise wins.
 */
public final class DynamoSettlementAlarms implements SettlementAlarms {
    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoSettlementAlarms(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    @Override
    public boolean raiseOnce(String key, String reason, String detail) {
        try {
            dynamo.putItem(p -> p.tableName(table).item(Map.of(
                            "intentId", s("alarm#" + key),
                            "reason", s(reason),
                            "detail", s(detail == null ? "" : detail),
                            "raisedAt", s(Instant.now().toString())))
                    .conditionExpression("attribute_not_exists(intentId)"));
            return true;
        } catch (ConditionalCheckFailedException alreadyRaised) {
            return false;
        }
    }
}
