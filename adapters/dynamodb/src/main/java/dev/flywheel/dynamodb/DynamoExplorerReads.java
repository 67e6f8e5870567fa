package dev.flywheel.dynamodb;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static dev.flywheel.dynamodb.Attr.big;
import static dev.flywheel.dynamodb.Attr.num;
import static dev.flywheel.dynamodb.Attr.s;
import static dev.flywheel.dynamodb.Attr.str;

/**
 * The explorer's reads (docs/explorer.md, "What each answer reads"): what the ledger already stores, read without writing
 * anything. Per device they are key reads (the device item, its {@code STATE} item, a {@code Query} of its
 * {@code W#<epoch>} work snapshots, a {@code BatchGetItem} of its {@code E#<epoch> / D#<device>} shares); an owner's
 * devices are a {@code Query} of the devices table's {@code ByOwner} index; the map reads the epoch's hex summary
 * ({@link DynamoHexSummaries}). Nothing here scans: every read is bounded by the device, owner or hex asked about.
 */
public final class DynamoExplorerReads {
    /** BatchGetItem reads at most 100 keys per call. */
    /** The devices table's index by owner (template.yaml). */
    public static final String BY_OWNER = "ByOwner";

    private final DynamoDbClient dynamo;
    private final TableNames tables;

    public DynamoExplorerReads(DynamoDbClient dynamo, TableNames tables) {
        this.dynamo = dynamo;
        this.tables = tables;
    }

    /** A registered device as the explorer lists it. */
    public record ListedDevice(String deviceId, String owner, String status, String h3Cell) {
    }

    /**
     * The devices {@code owner} holds now: a {@code Query} of the devices table's {@code ByOwner} index (owner, device id;
     * projected: status, cell, kind). Owner-history items carry an {@code owner} too, so they are in the index and
     * filtered out here: an owner's partition holds its devices plus one item per device ever transferred to it.
     */
    public List<ListedDevice> devicesOf(String owner) {
        List<ListedDevice> out = new ArrayList<>();
        dynamo.queryPaginator(q -> q.tableName(tables.devices()).indexName(BY_OWNER)
                        .keyConditionExpression("#o = :o").filterExpression("attribute_not_exists(#k)")
                        .expressionAttributeNames(Map.of("#o", "owner", "#k", "kind"))
                        .expressionAttributeValues(Map.of(":o", s(owner))))
                .items().forEach(item -> out.add(listed(item)));
        return out;
    }

    /** The devices {@code deviceIds} name, as they are registered now (absent ids left out), by {@code BatchGetItem}. */
    public Map<String, ListedDevice> devices(Collection<String> deviceIds) {
        Map<String, ListedDevice> out = new TreeMap<>();
        List<Map<String, AttributeValue>> keys = deviceIds.stream().distinct().map(id -> Map.of("deviceId", s(id))).toList();
        BatchReads.get(dynamo, tables.devices(), keys, b -> b.projectionExpression("#d, #o, #s, #c")
                .expressionAttributeNames(Map.of("#d", "deviceId", "#o", "owner", "#s", "status", "#c", "h3Cell")))
                .all().forEach(item -> {
                    ListedDevice d = listed(item);
                    out.put(d.deviceId(), d);
                });
        return out;
    }

    private static ListedDevice listed(Map<String, AttributeValue> item) {
        return new ListedDevice(str(item, "deviceId"), str(item, "owner"), str(item, "status"), str(item, "h3Cell"));
    }

    /**
     * The ledger's state of a device: accepted proofs over its life, units per epoch not yet harvested (per pool), and the
     * fence (the newest epoch the closer harvested for it, or null).
     */
    public record LedgerState(long acceptedLifetime, Map<Long, Map<String, Long>> openUnits, Long fence) {
    }

    public Optional<LedgerState> ledgerState(String deviceId) {
        Map<String, AttributeValue> item = dynamo.getItem(g -> g.tableName(tables.ledger()).key(DeviceState.key(deviceId))
                .consistentRead(true)).item();
        if (item == null || item.isEmpty()) {
            return Optional.empty();
        }
        DeviceState state = DeviceState.from(deviceId, item);
        Map<Long, Map<String, Long>> open = new TreeMap<>();
        state.units.forEach((epoch, pools) -> {
            if (state.fence == null || epoch > state.fence) {
                open.put(epoch, Map.copyOf(pools));
            }
        });
        return Optional.of(new LedgerState(state.accepted, open, state.fence));
    }

    /** The device's harvested work per closed epoch (its {@code W#<epoch>} snapshots), units per pool, oldest first. */
    public Map<Long, Map<String, Long>> workByEpoch(String deviceId) {
        Map<Long, Map<String, Long>> out = new TreeMap<>();
        dynamo.queryPaginator(q -> q.tableName(tables.ledger()).consistentRead(true)
                        .keyConditionExpression("pk = :pk AND begins_with(sk, :w)")
                        .expressionAttributeValues(Map.of(":pk", s(DeviceState.partition(deviceId)), ":w", s("W#"))))
                .items().forEach(item -> {
                    Map<String, Long> pools = new TreeMap<>();
                    item.get("units").m().forEach((pool, u) -> pools.put(pool, Long.parseLong(u.n())));
                    out.put(Long.parseLong(str(item, "sk").substring(2)), pools);
                });
        return out;
    }

    /** A device's share of one epoch, as the closer wrote it ({@code E#<epoch> / D#<device>}). */
    public record Share(long epoch, String owner, long units, BigInteger amount) {
    }

    /** The device's shares in {@code epochs} (epochs without one are absent), by epoch. */
    public Map<Long, Share> shares(String deviceId, Collection<Long> epochs) {
        Map<Long, Share> out = new TreeMap<>();
        List<Map<String, AttributeValue>> keys = epochs.stream().distinct().map(e -> DynamoProofLedger.key("E#" + e, "D#" + deviceId)).toList();
        for (Map<String, AttributeValue> item : BatchReads.get(dynamo, tables.rewards(), keys, true).all()) {
            long epoch = Long.parseLong(str(item, "pk").substring(2));
            out.put(epoch, new Share(epoch, str(item, "owner"), num(item, "units"), big(item, "amount")));
        }
        return out;
    }
}
