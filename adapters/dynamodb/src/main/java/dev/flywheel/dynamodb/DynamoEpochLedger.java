package dev.flywheel.dynamodb;

import dev.flywheel.core.epoch.EpochLedger;
import dev.flywheel.core.epoch.EpochManifest;
import dev.flywheel.core.merkle.CumulativeMerkleTree;
import dev.flywheel.core.reward.DeviceReward;
import dev.flywheel.core.reward.EpochRewards;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static dev.flywheel.dynamodb.Attr.big;
import static dev.flywheel.dynamodb.Attr.n;
import static dev.flywheel.dynamodb.Attr.num;
import static dev.flywheel.dynamodb.Attr.s;
import static dev.flywheel.dynamodb.Attr.str;

/**
 * Epoch bookkeeping. Epochs table: one item per epoch (absent = open; CLOSING, CLOSED, SETTLED)
 * plus a cursor item at epoch {@value #CURSOR}. Rewards table: {@code E#<epoch> / D#<device>} shares,
 * {@code E#<epoch> / UNALLOCATED}, and {@code B#<epoch> / O#<owner>} lifetime totals with their proofs.
 */
public final class DynamoEpochLedger implements EpochLedger {
    /** The cursor lives beside the epochs, at an epoch number no clock produces for real data. */
    static final long CURSOR = Long.MIN_VALUE;
    private static final int BATCH = 25;

    private final DynamoDbClient dynamo;
    private final String epochs;
    private final String rewards;
    /** Manifest chunk size: gzip output cut below DynamoDB's 400 KB item limit. */
    private static final int CHUNK = 350 * 1024;

    public DynamoEpochLedger(DynamoDbClient dynamo, TableNames tables) {
        this.dynamo = dynamo;
        this.epochs = tables.epochs();
        this.rewards = tables.rewards();
    }

    /** Kept for callers that wire the proof ledger beside it; the work itself is read through an EpochWorkSource. */
    public DynamoEpochLedger(DynamoDbClient dynamo, TableNames tables, DynamoProofLedger proofs) {
        this(dynamo, tables);
    }

    /**
     * The document is gzipped and cut into {@code M#<epoch> / C#<n>} items, then a {@code M#<epoch> / HEAD}
     * item names the chunk count, hash and rules version: a reader trusts only a document whose head exists,
     * and a rewrite after a crash writes the same chunks again.
     */
    @Override
    public void writeManifest(long epoch, String configVersion, byte[] document) {
        byte[] zipped;
        try (var buffer = new java.io.ByteArrayOutputStream(document.length / 4 + 64)) {
            try (var gzip = new java.util.zip.GZIPOutputStream(buffer)) {
                gzip.write(document);
            }
            zipped = buffer.toByteArray();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        int chunks = 0;
        for (int off = 0; off < zipped.length || chunks == 0; off += CHUNK) {
            Map<String, AttributeValue> item = new HashMap<>(DynamoProofLedger.key("M#" + epoch, String.format("C#%06d", chunks)));
            item.put("data", AttributeValue.fromB(software.amazon.awssdk.core.SdkBytes.fromByteArray(
                    java.util.Arrays.copyOfRange(zipped, off, Math.min(zipped.length, off + CHUNK)))));
            items.add(item);
            chunks++;
        }
        // Chunks go one by one: 25 items of 350 KB would pass BatchWriteItem's 16 MB request limit.
        for (Map<String, AttributeValue> item : items) {
            dynamo.putItem(p -> p.tableName(rewards).item(item));
        }
        Map<String, AttributeValue> head = new HashMap<>(DynamoProofLedger.key("M#" + epoch, "HEAD"));
        head.put("chunks", n(chunks));
        head.put("bytes", n(document.length));
        head.put("sha256", s(dev.flywheel.core.epoch.ManifestDocument.hash(document)));
        head.put("configVersion", s(configVersion));
        dynamo.putItem(p -> p.tableName(rewards).item(head));
    }

    @Override
    public Optional<byte[]> manifestDocument(long epoch) {
        Map<String, AttributeValue> head = manifestHead(epoch);
        if (head == null) {
            return Optional.empty();
        }
        var zipped = new java.io.ByteArrayOutputStream();
        long chunks = num(head, "chunks");
        for (int i = 0; i < chunks; i++) {
            String sk = String.format("C#%06d", i);
            Map<String, AttributeValue> item = dynamo.getItem(g -> g.tableName(rewards).consistentRead(true)
                    .key(DynamoProofLedger.key("M#" + epoch, sk))).item();
            if (item == null || item.isEmpty()) {
                throw new IllegalStateException("manifest of epoch " + epoch + " lacks chunk " + sk);
            }
            zipped.writeBytes(item.get("data").b().asByteArray());
        }
        try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(zipped.toByteArray()))) {
            return Optional.of(in.readAllBytes());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("manifest of epoch " + epoch + " is corrupt", e);
        }
    }

    @Override
    public Optional<String> configVersion(long epoch) {
        return Optional.ofNullable(manifestHead(epoch)).map(h -> str(h, "configVersion"));
    }

    private Map<String, AttributeValue> manifestHead(long epoch) {
        Map<String, AttributeValue> item = dynamo.getItem(g -> g.tableName(rewards).consistentRead(true)
                .key(DynamoProofLedger.key("M#" + epoch, "HEAD"))).item();
        return item == null || item.isEmpty() ? null : item;
    }

    @Override
    public Cursor cursor(long initialEpoch) {
        Map<String, AttributeValue> item = getEpochItem(CURSOR);
        if (item == null) {
            return new Cursor(initialEpoch, initialEpoch);
        }
        return new Cursor(num(item, "lastClosed"), num(item, "lastSettled"));
    }

    @Override
    public boolean beginClosing(long epoch) {
        try {
            dynamo.updateItem(u -> u.tableName(epochs).key(epochKey(epoch))
                    .updateExpression("SET #s = :closing")
                    .conditionExpression("attribute_not_exists(#s) OR #s = :closing")
                    .expressionAttributeNames(Map.of("#s", DynamoProofLedger.EPOCH_STATUS))
                    .expressionAttributeValues(Map.of(":closing", s("CLOSING"))));
            return true;
        } catch (ConditionalCheckFailedException alreadyClosed) {
            return false;
        }
    }

    @Override
    public Map<String, BigInteger> balances(long epoch) {
        Map<String, BigInteger> balances = new TreeMap<>();
        for (Map<String, AttributeValue> item : queryAll(rewards, "B#" + epoch)) {
            balances.put(str(item, "sk").substring(2), big(item, "cumulative"));
        }
        return balances;
    }

    @Override
    public void writeRewards(EpochRewards epochRewards, Map<String, BigInteger> cumulative, CumulativeMerkleTree tree) {
        long epoch = epochRewards.epoch();
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        for (DeviceReward r : epochRewards.rewards()) {
            Map<String, AttributeValue> item = new HashMap<>(DynamoProofLedger.key("E#" + epoch, "D#" + r.deviceId()));
            item.put("owner", s(r.owner()));
            item.put("units", n(r.units()));
            item.put("amount", n(r.amount()));
            items.add(item);
        }
        Map<String, AttributeValue> unallocated = new HashMap<>(DynamoProofLedger.key("E#" + epoch, "UNALLOCATED"));
        unallocated.put("amount", n(epochRewards.unallocated()));
        unallocated.put("emission", n(epochRewards.emission()));
        items.add(unallocated);
        for (Map.Entry<String, BigInteger> e : cumulative.entrySet()) {
            Map<String, AttributeValue> item = new HashMap<>(DynamoProofLedger.key("B#" + epoch, "O#" + e.getKey()));
            item.put("cumulative", n(e.getValue()));
            item.put("root", s(tree.rootHex()));
            item.put("proof", AttributeValue.fromL(tree.proofHex(e.getKey()).stream().map(Attr::s).toList()));
            items.add(item);
        }
        batchPut(rewards, items);
    }

    @Override
    public void markClosed(EpochManifest m, long previousClosed) {
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":closing", s("CLOSING"));
        values.put(":closed", s("CLOSED"));
        values.put(":emission", n(m.emission()));
        values.put(":units", n(m.totalUnits()));
        values.put(":allocated", n(m.allocated()));
        values.put(":unallocated", n(m.unallocated()));
        values.put(":devices", n(m.rewardedDevices()));
        values.put(":owners", n(m.owners()));
        values.put(":root", m.rootHex() == null ? AttributeValue.fromNul(true) : s(m.rootHex()));
        values.put(":total", n(m.totalCumulative()));
        values.put(":closedAt", s(m.closedAt().toString()));
        values.put(":manifestHash", s(m.manifestHash()));
        List<TransactWriteItem> writes = List.of(
                TransactWriteItem.builder().update(u -> u.tableName(epochs).key(epochKey(m.epoch()))
                        .updateExpression("SET #s = :closed, emission = :emission, totalUnits = :units, allocated = :allocated, "
                                + "unallocated = :unallocated, rewardedDevices = :devices, owners = :owners, #root = :root, "
                                + "totalCumulative = :total, closedAt = :closedAt, "
                                + "manifestHash = :manifestHash")
                        .conditionExpression("#s = :closing")
                        .expressionAttributeNames(Map.of("#s", DynamoProofLedger.EPOCH_STATUS, "#root", "root"))
                        .expressionAttributeValues(values)).build(),
                TransactWriteItem.builder().update(u -> u.tableName(epochs).key(epochKey(CURSOR))
                        .updateExpression("SET lastClosed = :e, lastSettled = if_not_exists(lastSettled, :prev)")
                        .conditionExpression("attribute_not_exists(lastClosed) OR lastClosed = :prev")
                        .expressionAttributeValues(Map.of(":e", n(m.epoch()), ":prev", n(previousClosed)))).build());
        try {
            dynamo.transactWriteItems(t -> t.transactItems(writes));
        } catch (TransactionCanceledException e) {
            // Two closers of the same epoch (the schedule and an operator's "close now") compute the same manifest from
            // the same inputs; the one that marks it second finds it closed with that hash, and is done too.
            if (manifest(m.epoch()).filter(closed -> closed.manifestHash().equals(m.manifestHash())).isEmpty()) {
                throw e;
            }
        }
    }

    @Override
    public Optional<EpochManifest> manifest(long epoch) {
        Map<String, AttributeValue> item = getEpochItem(epoch);
        if (item == null || !item.containsKey("closedAt")) {
            return Optional.empty();
        }
        AttributeValue root = item.get("root");
        return Optional.of(new EpochManifest(epoch, big(item, "emission"), num(item, "totalUnits"),
                big(item, "allocated"), big(item, "unallocated"), (int) num(item, "rewardedDevices"),
                (int) num(item, "owners"), root == null || root.s() == null ? null : root.s(),
                big(item, "totalCumulative"), Instant.parse(str(item, "closedAt")), str(item, "manifestHash")));
    }

    @Override
    public void markSettled(long epoch, String txHash, long previousSettled) {
        List<TransactWriteItem> writes = List.of(
                TransactWriteItem.builder().update(u -> u.tableName(epochs).key(epochKey(epoch))
                        .updateExpression("SET #s = :settled, rootTx = :tx, settledAt = :at")
                        .conditionExpression("#s IN (:closed, :settled)")
                        .expressionAttributeNames(Map.of("#s", DynamoProofLedger.EPOCH_STATUS))
                        .expressionAttributeValues(Map.of(":settled", s("SETTLED"), ":closed", s("CLOSED"),
                                ":tx", txHash == null ? AttributeValue.fromNul(true) : s(txHash),
                                ":at", s(Instant.now().toString())))).build(),
                TransactWriteItem.builder().update(u -> u.tableName(epochs).key(epochKey(CURSOR))
                        .updateExpression("SET lastSettled = :e")
                        .conditionExpression("lastSettled = :prev OR lastSettled = :e")
                        .expressionAttributeValues(Map.of(":e", n(epoch), ":prev", n(previousSettled)))).build());
        try {
            dynamo.transactWriteItems(t -> t.transactItems(writes));
        } catch (TransactionCanceledException e) {
            throw new IllegalStateException("settlement of epoch " + epoch + " raced another settler", e);
        }
    }

    /** Settled state of an epoch, as the claims API reports it. */
    public Optional<String> rootTransaction(long epoch) {
        Map<String, AttributeValue> item = getEpochItem(epoch);
        return item == null ? Optional.empty() : Optional.ofNullable(str(item, "rootTx"));
    }

    /** An owner's entry under an epoch's root: lifetime total and Merkle proof. */
    public record OwnerBalance(String owner, long epoch, String rootHex, BigInteger cumulative, List<String> proof) {
    }

    public Optional<OwnerBalance> ownerBalance(long epoch, String owner) {
        Map<String, AttributeValue> item = dynamo.getItem(g -> g.tableName(rewards)
                .key(DynamoProofLedger.key("B#" + epoch, "O#" + owner))).item();
        if (item == null || item.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new OwnerBalance(owner, epoch, str(item, "root"), big(item, "cumulative"),
                item.get("proof").l().stream().map(AttributeValue::s).toList()));
    }

    /** Every device's share in one epoch. */
    public List<DeviceReward> deviceRewards(long epoch) {
        return queryAll(rewards, "E#" + epoch).stream()
                .filter(item -> str(item, "sk").startsWith("D#"))
                .map(item -> new DeviceReward(str(item, "sk").substring(2), str(item, "owner"), num(item, "units"), big(item, "amount")))
                .toList();
    }

    /** An owner's per-device shares in one epoch, so a wallet can reconcile what it is owed. */
    public List<DeviceReward> ownerRewards(long epoch, String owner) {
        return deviceRewards(epoch).stream().filter(r -> owner.equals(r.owner())).toList();
    }

    private Map<String, AttributeValue> getEpochItem(long epoch) {
        Map<String, AttributeValue> item = dynamo.getItem(g -> g.tableName(epochs).key(epochKey(epoch)).consistentRead(true)).item();
        return item == null || item.isEmpty() ? null : item;
    }

    private List<Map<String, AttributeValue>> queryAll(String table, String pk) {
        return dynamo.queryPaginator(q -> q.tableName(table).consistentRead(true)
                        .keyConditionExpression("pk = :pk")
                        .expressionAttributeValues(Map.of(":pk", s(pk))))
                .items().stream().toList();
    }

    private void batchPut(String table, List<Map<String, AttributeValue>> items) {
        for (int i = 0; i < items.size(); i += BATCH) {
            List<WriteRequest> chunk = items.subList(i, Math.min(i + BATCH, items.size())).stream()
                    .map(item -> WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build())
                    .toList();
            Map<String, List<WriteRequest>> pending = Map.of(table, chunk);
            for (int attempt = 0; !pending.isEmpty(); attempt++) {
                if (attempt > 0) {
                    sleepBackoff(attempt);
                }
                Map<String, List<WriteRequest>> request = pending;
                BatchWriteItemResponse response = dynamo.batchWriteItem(b -> b.requestItems(request));
                pending = response.hasUnprocessedItems() ? response.unprocessedItems() : Map.of();
            }
        }
    }

    private static void sleepBackoff(int attempt) {
        try {
            Thread.sleep(Math.min(1000L, 25L << Math.min(attempt, 6)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while retrying unprocessed writes", e);
        }
    }

    private static Map<String, AttributeValue> epochKey(long epoch) {
        return Map.of("epoch", n(epoch));
    }
}
