package dev.flywheel.dynamodb;

import dev.flywheel.core.epoch.DeviceWork;
import dev.flywheel.core.epoch.EpochWorkSource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

import static dev.flywheel.dynamodb.Attr.num;
import static dev.flywheel.dynamodb.Attr.s;
import static dev.flywheel.dynamodb.Attr.str;

/**
 * Interim {@link EpochWorkSource} over the proof ledger's credit items ({@code E#<epoch> / W#...}):
 * reads the epoch's credits (strongly consistent), keeps those whose device hashes into the segment,
 * and sums them per device and pool. The pool is the item's {@code pool} attribute (the proof type,
 * or {@code coverage} for window credits), else {@code defaultPool} for items written before pools.
 * Every segment reads the whole epoch partition, so it holds one map entry per device of its segment;
 * the sharded reader (DynamoEpochWork) replaces it.
 */
public final class DynamoCreditWorkSource implements EpochWorkSource {
    private final DynamoDbClient dynamo;
    private final String table;
    private final String defaultPool;

    public DynamoCreditWorkSource(DynamoDbClient dynamo, TableNames tables, String defaultPool) {
        this.dynamo = dynamo;
        this.table = tables.ledger();
        this.defaultPool = defaultPool;
    }

    @Override
    public void forEachDevice(long epoch, int segment, int segments, Consumer<DeviceWork> sink) {
        Map<String, String> owners = new HashMap<>();
        Map<String, TreeMap<String, Long>> units = new TreeMap<>();
        dynamo.queryPaginator(q -> q.tableName(table).consistentRead(true)
                        .keyConditionExpression("pk = :pk AND begins_with(sk, :w)")
                        .expressionAttributeValues(Map.of(":pk", s("E#" + epoch), ":w", s("W#"))))
                .items().forEach(item -> {
                    String device = str(item, "device");
                    if (Math.floorMod(device.hashCode(), segments) != segment) {
                        return;
                    }
                    String owner = str(item, "owner");
                    String previous = owners.putIfAbsent(device, owner);
                    if (previous != null && !previous.equals(owner)) {
                        throw new IllegalStateException("device " + device + " has two owners in epoch " + epoch);
                    }
                    AttributeValue pool = item.get("pool");
                    String name = pool != null && pool.s() != null ? pool.s() : defaultPool;
                    units.computeIfAbsent(device, d -> new TreeMap<>()).merge(name, num(item, "units"), Math::addExact);
                });
        units.forEach((device, byPool) -> sink.accept(new DeviceWork(device, owners.get(device), byPool)));
    }
}
