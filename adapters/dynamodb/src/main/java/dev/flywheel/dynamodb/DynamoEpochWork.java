package dev.flywheel.dynamodb;

import dev.flywheel.core.epoch.DeviceWork;
import dev.flywheel.core.epoch.EpochWorkSource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

import static dev.flywheel.dynamodb.Attr.n;
import static dev.flywheel.dynamodb.Attr.num;
import static dev.flywheel.dynamodb.Attr.s;
import static dev.flywheel.dynamodb.Attr.str;

/**
 * An epoch's work per device, from the devices' ledger states: segment {@code i} of {@code n} is DynamoDB parallel Scan
 * segment {@code i} of {@code n} over the state items ({@code sk = STATE}, one per device, so segments are disjoint and
 * complete by device). Memory: nothing is held beyond one page of items and the device being summed.
 *
 * <p>Each device is harvested by one conditional write that raises its fence to the epoch and returns the item as written:
 * its units for the epoch are then final, since every later credit of the device lands above the fence (the ledger's
 * writes are conditional on the version this bumps, and coverage credits on the fence itself). A repeated harvest (a
 * crashed close resumed) reads the same units: they stay in the state until the next epoch's fence.
 *
 * <p>So that a past epoch can still be read (recompute), each harvest is made durable as a snapshot item
 * {@code P#<deviceId> / W#<epoch>} ({@code owner}, {@code units}: a map of pool to units), written once per device per
 * epoch by a conditional put. A snapshot that exists is the source of truth for (device, epoch): the state's units are
 * read only when there is none yet, and then the snapshot is written. Devices without work in the epoch get no snapshot.
 */
public final class DynamoEpochWork implements EpochWorkSource {
    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoEpochWork(DynamoDbClient dynamo, TableNames tables) {
        this(dynamo, tables.ledger());
    }

    DynamoEpochWork(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    @Override
    public void forEachDevice(long epoch, int segment, int segments, Consumer<DeviceWork> sink) {
        if (segments < 1 || segment < 0 || segment >= segments) {
            throw new IllegalArgumentException("segment " + segment + " of " + segments);
        }
        for (Map<String, AttributeValue> scanned : dynamo.scanPaginator(q -> {
            q.tableName(table).consistentRead(true)
                    .filterExpression("sk = :state")
                    .projectionExpression("pk")
                    .expressionAttributeValues(Map.of(":state", s(DeviceState.SK)));
            if (segments > 1) {
                q.segment(segment).totalSegments(segments);
            }
        }).items()) {
            DeviceWork work = work(str(scanned, "pk").substring(2), epoch);
            if (work != null) {
                sink.accept(work);
            }
        }
    }

    /** The device's work in {@code epoch}, or null when it has none: the snapshot if written, else harvested and snapshotted. */
    private DeviceWork work(String deviceId, long epoch) {
        Map<String, AttributeValue> state = fence(deviceId, epoch);
        if (state == null) {
            // Already fenced at or past the epoch: it may have been harvested before, and then the snapshot rules.
            DeviceWork snapshot = snapshot(deviceId, epoch);
            if (snapshot != null) {
                return snapshot.unitsByPool().isEmpty() ? null : snapshot;
            }
            state = dynamo.getItem(g -> g.tableName(table).key(DeviceState.key(deviceId)).consistentRead(true)).item();
        }
        DeviceWork harvested = harvest(deviceId, epoch, DeviceState.from(deviceId, state));
        if (harvested == null) {
            return null;
        }
        Map<String, AttributeValue> units = new TreeMap<>();
        harvested.unitsByPool().forEach((pool, u) -> units.put(pool, n(u)));
        Map<String, AttributeValue> item = new HashMap<>(snapshotKey(deviceId, epoch));
        item.put("units", AttributeValue.fromM(units));
        if (harvested.owner() != null) {
            item.put("owner", s(harvested.owner()));
        }
        try {
            dynamo.putItem(p -> p.tableName(table).item(item).conditionExpression("attribute_not_exists(pk)"));
            return harvested;
        } catch (ConditionalCheckFailedException written) {
            // A concurrent or earlier harvest wrote it first: its snapshot is the record.
            DeviceWork snapshot = snapshot(deviceId, epoch);
            return snapshot == null || snapshot.unitsByPool().isEmpty() ? null : snapshot;
        }
    }

    private DeviceWork harvest(String deviceId, long epoch, DeviceState state) {
        TreeMap<String, Long> pools = new TreeMap<>(state.units.getOrDefault(epoch, new TreeMap<>()));
        String owner = state.owner;
        if (state.coverageEpochs.contains(epoch)) {
            for (Map<String, AttributeValue> credit : dynamo.queryPaginator(q -> q.tableName(table).consistentRead(true)
                    .keyConditionExpression("pk = :pk AND begins_with(sk, :c)")
                    .expressionAttributeValues(Map.of(":pk", s(DeviceState.partition(deviceId)), ":c", s("C#" + epoch + "#"))))
                    .items()) {
                pools.merge(str(credit, "pool"), num(credit, "units"), Math::addExact);
                if (owner == null) {
                    owner = str(credit, "owner");
                }
            }
        }
        pools.values().removeIf(units -> units == 0);
        return pools.isEmpty() ? null : new DeviceWork(deviceId, owner, pools);
    }

    private DeviceWork snapshot(String deviceId, long epoch) {
        Map<String, AttributeValue> item = dynamo.getItem(g -> g.tableName(table).key(snapshotKey(deviceId, epoch))
                .consistentRead(true)).item();
        if (item == null || item.isEmpty()) {
            return null;
        }
        TreeMap<String, Long> pools = new TreeMap<>();
        item.get("units").m().forEach((pool, u) -> pools.put(pool, Long.parseLong(u.n())));
        pools.values().removeIf(units -> units == 0);
        return new DeviceWork(deviceId, str(item, "owner"), pools);
    }

    static Map<String, AttributeValue> snapshotKey(String deviceId, long epoch) {
        return DynamoProofLedger.key(DeviceState.partition(deviceId), "W#" + epoch);
    }

    /** Raises the device's fence to {@code epoch} and returns the state as it then is; null when already fenced there. */
    private Map<String, AttributeValue> fence(String deviceId, long epoch) {
        try {
            return dynamo.updateItem(u -> u.tableName(table).key(DeviceState.key(deviceId))
                    .updateExpression("SET f = :e ADD v :one")
                    .conditionExpression("attribute_exists(pk) AND (attribute_not_exists(f) OR f < :e)")
                    .expressionAttributeValues(Map.of(":e", n(epoch), ":one", n(1)))
                    .returnValues(ReturnValue.ALL_NEW)).attributes();
        } catch (ConditionalCheckFailedException alreadyFenced) {
            return null;
        }
    }
}
