package dev.flywheel.dynamodb;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
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
 * {@code W#<epoch>} work snapshots, a {@code BatchGetItem} of its {@code E#<epoch> / D#<device>} shares). The network map
 * and an owner's device list have no key to read by (the devices table is keyed by device id only), so they scan the
 * devices table, projected to five attributes: the API marks those answers cacheable.
 */
public final class DynamoExplorerReads {
    /** BatchGetItem reads at most 100 keys per call. */
    private static final int BATCH_GET = 100;

    private final DynamoDbClient dynamo;
    private final TableNames tables;

    public DynamoExplorerReads(DynamoDbClient dynamo, TableNames tables) {
        this.dynamo = dynamo;
        this.tables = tables;
    }

    /** A registered device as the explorer lists it. */
    public record ListedDevice(String deviceId, String owner, String status, String h3Cell) {
    }

    /** Every registered device (history items skipped). A full scan of the devices table. */
    public List<ListedDevice> devices() {
        return scanDevices(null);
    }

    /** The devices {@code owner} holds now. A filtered scan of the devices table. */
    public List<ListedDevice> devicesOf(String owner) {
        return scanDevices(owner);
    }

    private List<ListedDevice> scanDevices(String owner) {
        Map<String, String> names = new HashMap<>(Map.of("#d", "deviceId", "#o", "owner", "#s", "status", "#c", "h3Cell",
                "#k", "kind"));
        Map<String, AttributeValue> values = new HashMap<>();
        String filter = "attribute_not_exists(#k)";
        if (owner != null) {
            filter += " AND #o = :o";
            values.put(":o", s(owner));
        }
        String f = filter;
        List<ListedDevice> out = new ArrayList<>();
        dynamo.scanPaginator(b -> {
            b.tableName(tables.devices()).filterExpression(f).projectionExpression("#d, #o, #s, #c, #k")
                    .expressionAttributeNames(names);
            if (!values.isEmpty()) {
                b.expressionAttributeValues(values);
            }
        }).items().forEach(item -> out.add(new ListedDevice(str(item, "deviceId"), str(item, "owner"), str(item, "status"),
                str(item, "h3Cell"))));
        out.sort(java.util.Comparator.comparing(ListedDevice::deviceId));
        return out;
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
        List<Long> list = new ArrayList<>(epochs);
        for (int i = 0; i < list.size(); i += BATCH_GET) {
            List<Map<String, AttributeValue>> keys = list.subList(i, Math.min(list.size(), i + BATCH_GET)).stream()
                    .map(e -> DynamoProofLedger.key("E#" + e, "D#" + deviceId)).toList();
            Map<String, KeysAndAttributes> request = Map.of(tables.rewards(),
                    KeysAndAttributes.builder().keys(keys).consistentRead(true).build());
            while (!request.isEmpty()) {
                Map<String, KeysAndAttributes> current = request;
                BatchGetItemResponse r = dynamo.batchGetItem(b -> b.requestItems(current));
                for (Map<String, AttributeValue> item : r.responses().getOrDefault(tables.rewards(), List.of())) {
                    long epoch = Long.parseLong(str(item, "pk").substring(2));
                    out.put(epoch, new Share(epoch, str(item, "owner"), num(item, "units"), big(item, "amount")));
                }
                request = r.hasUnprocessedKeys() ? r.unprocessedKeys() : Map.of();
            }
        }
        return out;
    }
}
