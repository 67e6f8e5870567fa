package dev.flywheel.dynamodb;

import dev.flywheel.core.verify.AcceptedProofStore;
import dev.flywheel.core.verify.Verdict;
import dev.flywheel.core.types.sensor.SensorReading;
import dev.flywheel.core.types.sensor.NeighbourReadings;
import dev.flywheel.core.types.sensor.SensorReadingRule;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.flywheel.dynamodb.Attr.n;
import static dev.flywheel.dynamodb.Attr.s;

/**
 * The latest accepted reading per metric of each device, grouped by the H3 resolution-5 parent of the device's
 * asserted location: {@code N#<metric>#<parent> / D#<deviceId>} in the proof ledger, with {@code value},
 * {@code deviceTime} (Unix ms) and {@code expiresAt} (TTL). {@link DynamoPriorProofs#remember} writes it for each
 * accepted {@code sensor.reading}; {@link #recent} reads one cell with a consistent Query.
 *
 * <p>The items carry no {@code deviceId} attribute, so the ledger's {@code byDevice} index does not see them.
 */
public final class DynamoNeighbourReadings implements NeighbourReadings, AcceptedProofStore {
    /** Longer than the neighbour window; the Query filters on device time anyway (TTL deletion lags). */
    public static final Duration DEFAULT_LIFETIME = Duration.ofHours(2);

    private final DynamoDbClient dynamo;
    private final String table;
    private final Duration lifetime;

    public DynamoNeighbourReadings(DynamoDbClient dynamo, TableNames tables) {
        this(dynamo, tables, DEFAULT_LIFETIME);
    }

    public DynamoNeighbourReadings(DynamoDbClient dynamo, TableNames tables, Duration lifetime) {
        this.dynamo = dynamo;
        this.table = tables.ledger();
        this.lifetime = lifetime;
    }

    @Override
    public List<Double> recent(String metric, String h3Parent, Instant since, String excludingDevice) {
        String exclude = "D#" + excludingDevice;
        List<Double> values = new ArrayList<>();
        for (var page : dynamo.queryPaginator(q -> q.tableName(table).consistentRead(true)
                .keyConditionExpression("pk = :pk")
                .filterExpression("deviceTime >= :since")
                .expressionAttributeValues(Map.of(":pk", s(partition(metric, h3Parent)), ":since", n(since.toEpochMilli()))))) {
            for (Map<String, AttributeValue> item : page.items()) {
                if (!exclude.equals(item.get("sk").s())) {
                    values.add(Double.parseDouble(item.get("value").n()));
                }
            }
        }
        return values;
    }

    /** Indexes an accepted sensor reading of a device with an asserted location; other proofs are ignored. */
    @Override
    public void accepted(Verdict.Accepted accepted, Instant receivedAt) {
        if (accepted.proof().body() instanceof SensorReading reading && accepted.device().h3Cell() != null) {
            record(accepted.deviceId(), accepted.device().h3Cell(), reading, accepted.proof().deviceTime(), receivedAt);
        }
    }

    /**
     * Records an accepted reading of a device asserted at {@code assertedCell}, unless that device's item for the
     * metric already holds a later reading (device time). Does nothing for a device without a usable location.
     */
    public void record(String deviceId, String assertedCell, SensorReading reading, Instant deviceTime, Instant receivedAt) {
        Optional<String> parent = SensorReadingRule.neighbourCell(assertedCell);
        if (parent.isEmpty()) {
            return;
        }
        Map<String, AttributeValue> item = new HashMap<>(DynamoProofLedger.key(partition(reading.metric(), parent.get()), "D#" + deviceId));
        item.put("value", AttributeValue.fromN(java.math.BigDecimal.valueOf(reading.value()).toPlainString()));
        item.put("deviceTime", n(deviceTime.toEpochMilli()));
        item.put("expiresAt", n(receivedAt.plus(lifetime).getEpochSecond()));
        try {
            dynamo.putItem(p -> p.tableName(table).item(item)
                    .conditionExpression("attribute_not_exists(pk) OR deviceTime < :t")
                    .expressionAttributeValues(Map.of(":t", n(deviceTime.toEpochMilli()))));
        } catch (ConditionalCheckFailedException newerAlreadyKept) {
            // a later reading of this device stays
        }
    }

    static String partition(String metric, String h3Parent) {
        return "N#" + metric + "#" + h3Parent;
    }
}
