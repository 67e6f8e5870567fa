package dev.flywheel.dynamodb;

import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * Counts the read and write units of every DynamoDB request an SDK client makes, by DynamoDB's sizing rules (moto
 * reports no consumed capacity): an item's size is the UTF-8 length of each attribute name plus its value (strings as
 * UTF-8, binaries raw, numbers about one byte per two significant digits plus one, maps and lists 3 bytes plus one per
 * element); a write costs one unit per started KB of the larger of the item before and after (the meter remembers the
 * size of every item it saw written), a strongly consistent read one unit per started 4 KB (an eventually consistent one
 * half), a transactional action twice that, a Query or Scan the summed size of what it returned; every global secondary
 * index whose key the written item carries costs the write again. A failed conditional write still costs its units.
 *
 * <p>It also records the partition key of every write, so a test can check that no hot-path key is shared by devices.
 */
public final class DynamoCapacityMeter implements ExecutionInterceptor {
    private static final double WRITE_UNIT = 1024;
    private static final double READ_UNIT = 4096;

    /** One write request's partition keys (table/pk). */
    public record Write(String operation, List<String> partitionKeys) {
    }

    private final Map<String, List<String>> indexKeysByTable;
    private final Map<String, Integer> sizes = new ConcurrentHashMap<>();
    private final DoubleAdder readUnits = new DoubleAdder();
    private final DoubleAdder writeUnits = new DoubleAdder();
    private final List<Write> writes = java.util.Collections.synchronizedList(new ArrayList<>());
    private final Map<String, DoubleAdder> unitsByOperation = new ConcurrentHashMap<>();
    private final Map<String, DoubleAdder[]> unitsByPartition = new ConcurrentHashMap<>();

    public DynamoCapacityMeter() {
        this(Map.of());
    }

    /**
     * @param indexKeysByTable per table (or {@code *<suffix>} for every table so named), the hash-key attribute of each
     *                         global secondary index (projection ALL)
     */
    public DynamoCapacityMeter(Map<String, List<String>> indexKeysByTable) {
        this.indexKeysByTable = Map.copyOf(indexKeysByTable);
    }

    /** Units counted so far. */
    public record Units(double read, double write) {
        public Units minus(Units other) {
            return new Units(read - other.read, write - other.write);
        }
    }

    public Units units() {
        return new Units(readUnits.sum(), writeUnits.sum());
    }

    /** Write units per operation name (PutItem, TransactWriteItems, ...) and read units under "read:" + name. */
    public Map<String, Double> unitsByOperation() {
        Map<String, Double> out = new java.util.TreeMap<>();
        unitsByOperation.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    /** Every write request seen, in order. */
    public List<Write> writes() {
        synchronized (writes) {
            return List.copyOf(writes);
        }
    }

    /** Units per partition key ({@code table/pk}): [read, write]. */
    public Map<String, Units> unitsByPartition() {
        Map<String, Units> out = new java.util.TreeMap<>();
        unitsByPartition.forEach((k, v) -> out.put(k, new Units(v[0].sum(), v[1].sum())));
        return out;
    }

    public void reset() {
        unitsByPartition.clear();
        sizes.clear();
        readUnits.reset();
        writeUnits.reset();
        writes.clear();
        unitsByOperation.clear();
    }

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
        count(context.request(), context.response());
    }

    @Override
    public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
        count(context.request(), null); // a failed conditional write or transaction is still billed
    }

    private void count(SdkRequest request, SdkResponse response) {
        switch (request) {
            case GetItemRequest r -> {
                Map<String, AttributeValue> item = response instanceof GetItemResponse g && g.hasItem() ? g.item() : Map.of();
                read("GetItem", pk(r.tableName(), r.key()), itemSize(item), Boolean.TRUE.equals(r.consistentRead()), 1);
            }
            case QueryRequest r -> {
                int size = response instanceof QueryResponse q ? q.items().stream().mapToInt(DynamoCapacityMeter::itemSize).sum() : 0;
                AttributeValue pk = r.expressionAttributeValues() == null ? null : r.expressionAttributeValues().get(":pk");
                read("Query", r.tableName() + "/" + (pk == null ? "?" : pk.s()), size, Boolean.TRUE.equals(r.consistentRead()), 1);
            }
            case ScanRequest r -> {
                int size = response instanceof ScanResponse s ? s.items().stream().mapToInt(DynamoCapacityMeter::itemSize).sum() : 0;
                read("Scan", r.tableName() + "/*", size, Boolean.TRUE.equals(r.consistentRead()), 1);
            }
            case PutItemRequest r -> {
                write("PutItem", r.tableName(), r.item(), itemSize(r.item()), 1);
                writes.add(new Write("PutItem", List.of(pk(r.tableName(), r.item()))));
            }
            case UpdateItemRequest r -> {
                Map<String, AttributeValue> after = response instanceof UpdateItemResponse u && u.hasAttributes() ? u.attributes() : Map.of();
                write("UpdateItem", r.tableName(), r.key(), after.isEmpty() ? 1 : itemSize(after), 1);
                writes.add(new Write("UpdateItem", List.of(pk(r.tableName(), r.key()))));
            }
            case DeleteItemRequest r -> {
                write("DeleteItem", r.tableName(), r.key(), 1, 1);
                writes.add(new Write("DeleteItem", List.of(pk(r.tableName(), r.key()))));
            }
            case BatchWriteItemRequest r -> {
                List<String> keys = new ArrayList<>();
                r.requestItems().forEach((table, list) -> {
                    for (WriteRequest w : list) {
                        Map<String, AttributeValue> item = w.putRequest() != null ? w.putRequest().item() : w.deleteRequest().key();
                        write("BatchWriteItem", table, item, w.putRequest() != null ? itemSize(item) : 1, 1);
                        keys.add(pk(table, item));
                    }
                });
                writes.add(new Write("BatchWriteItem", keys));
            }
            case TransactWriteItemsRequest r -> {
                List<String> keys = new ArrayList<>();
                for (TransactWriteItem t : r.transactItems()) {
                    if (t.put() != null) {
                        write("TransactWriteItems", t.put().tableName(), t.put().item(), itemSize(t.put().item()), 2);
                        keys.add(pk(t.put().tableName(), t.put().item()));
                    } else if (t.update() != null) {
                        write("TransactWriteItems", t.update().tableName(), t.update().key(), 1, 2);
                        keys.add(pk(t.update().tableName(), t.update().key()));
                    } else if (t.delete() != null) {
                        write("TransactWriteItems", t.delete().tableName(), t.delete().key(), 1, 2);
                        keys.add(pk(t.delete().tableName(), t.delete().key()));
                    } else if (t.conditionCheck() != null) {
                        // Billed like a write of the checked item; it changes nothing, so it is no hot-key write.
                        double units = 2 * Math.ceil(Math.max(1, known(t.conditionCheck().tableName(),
                                t.conditionCheck().key())) / WRITE_UNIT);
                        add("TransactWriteItems", writeUnits, units);
                        partition(pk(t.conditionCheck().tableName(), t.conditionCheck().key()))[1].add(units);
                    }
                }
                writes.add(new Write("TransactWriteItems", keys));
            }
            case BatchGetItemRequest r -> {
                if (response instanceof BatchGetItemResponse b) {
                    // Each item is billed as its own read, consistent or not as its table's KeysAndAttributes asks.
                    b.responses().forEach((table, items) -> {
                        KeysAndAttributes asked = r.requestItems().get(table);
                        boolean consistent = asked != null && Boolean.TRUE.equals(asked.consistentRead());
                        items.forEach(i -> read("BatchGetItem", pk(table, i), itemSize(i), consistent, 1));
                    });
                }
            }
            default -> {
            }
        }
    }

    private void read(String operation, String partition, int size, boolean consistent, int factor) {
        double units = Math.max(1, Math.ceil(size / READ_UNIT)) * (consistent ? 1 : 0.5) * factor;
        add("read:" + operation, readUnits, units);
        partition(partition)[0].add(units);
    }

    private DoubleAdder[] partition(String key) {
        return unitsByPartition.computeIfAbsent(key, k -> new DoubleAdder[]{new DoubleAdder(), new DoubleAdder()});
    }

    private void write(String operation, String table, Map<String, AttributeValue> itemOrKey, int newSize, int factor) {
        String key = table + "|" + keyString(itemOrKey);
        int before = sizes.getOrDefault(key, 0);
        int size = Math.max(newSize, before);
        double units = Math.max(1, Math.ceil(size / WRITE_UNIT)) * factor;
        for (String indexKey : indexKeys(table)) {
            if (itemOrKey.containsKey(indexKey)) {
                units += Math.max(1, Math.ceil(newSize / WRITE_UNIT));
            }
        }
        if (newSize > 1) {
            sizes.put(key, newSize);
        }
        add(operation, writeUnits, units);
        partition(pk(table, itemOrKey))[1].add(units);
    }

    /** The table's index keys; a {@code *suffix} entry matches every table whose name ends with the suffix. */
    private List<String> indexKeys(String table) {
        List<String> keys = indexKeysByTable.get(table);
        if (keys != null) {
            return keys;
        }
        for (var e : indexKeysByTable.entrySet()) {
            if (e.getKey().startsWith("*") && table.endsWith(e.getKey().substring(1))) {
                return e.getValue();
            }
        }
        return List.of();
    }

    private int known(String table, Map<String, AttributeValue> key) {
        return sizes.getOrDefault(table + "|" + keyString(key), 1);
    }

    private void add(String operation, DoubleAdder total, double units) {
        total.add(units);
        unitsByOperation.computeIfAbsent(operation, k -> new DoubleAdder()).add(units);
    }

    private static String pk(String table, Map<String, AttributeValue> item) {
        AttributeValue pk = item.get("pk");
        if (pk == null) {
            pk = item.values().iterator().next(); // single-key tables (devices, epochs): the key is the only attribute given
            for (var e : item.entrySet()) {
                if (e.getKey().equals("deviceId") || e.getKey().equals("epoch")) {
                    pk = e.getValue();
                }
            }
        }
        return table + "/" + (pk.s() != null ? pk.s() : pk.n());
    }

    private static String keyString(Map<String, AttributeValue> itemOrKey) {
        AttributeValue pk = itemOrKey.get("pk");
        AttributeValue sk = itemOrKey.get("sk");
        if (pk != null) {
            return pk.s() + "|" + (sk == null ? "" : sk.s());
        }
        return itemOrKey.toString();
    }

    /** DynamoDB's item size: attribute names plus values. */
    public static int itemSize(Map<String, AttributeValue> item) {
        int size = 0;
        for (var e : item.entrySet()) {
            size += utf8(e.getKey()) + valueSize(e.getValue());
        }
        return size;
    }

    static int valueSize(AttributeValue v) {
        if (v.s() != null) {
            return utf8(v.s());
        }
        if (v.n() != null) {
            return numberSize(v.n());
        }
        if (v.b() != null) {
            return v.b().asByteArray().length;
        }
        if (v.bool() != null || Boolean.TRUE.equals(v.nul())) {
            return 1;
        }
        if (v.hasM()) {
            int size = 3;
            for (var e : v.m().entrySet()) {
                size += utf8(e.getKey()) + valueSize(e.getValue()) + 1;
            }
            return size;
        }
        if (v.hasL()) {
            int size = 3;
            for (AttributeValue x : v.l()) {
                size += valueSize(x) + 1;
            }
            return size;
        }
        if (v.hasSs()) {
            return v.ss().stream().mapToInt(DynamoCapacityMeter::utf8).sum();
        }
        if (v.hasNs()) {
            return v.ns().stream().mapToInt(DynamoCapacityMeter::numberSize).sum();
        }
        if (v.hasBs()) {
            return v.bs().stream().mapToInt(b -> b.asByteArray().length).sum();
        }
        return 1;
    }

    private static int numberSize(String number) {
        String digits = new BigDecimal(number).unscaledValue().abs().toString().replaceAll("^0+|0+$", "");
        return Math.max(1, (digits.length() + 1) / 2) + 1;
    }

    private static int utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
