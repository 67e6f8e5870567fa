package dev.flywheel.dynamodb;

import dev.flywheel.core.geo.H3Index;
import dev.flywheel.core.geo.H3Native;
import dev.flywheel.core.reward.DeviceReward;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

import static dev.flywheel.dynamodb.Attr.big;
import static dev.flywheel.dynamodb.Attr.n;
import static dev.flywheel.dynamodb.Attr.num;
import static dev.flywheel.dynamodb.Attr.s;
import static dev.flywheel.dynamodb.Attr.str;

/**
 * The explorer map's per-epoch hex summary, in the rewards table (docs/architecture.md, "Rewards table"): written once
 * per closed epoch by the epoch closer from the epoch's device shares and the devices' cells, so the map reads one
 * partition of hexes instead of every device. Keys:
 * <ul>
 *   <li>{@code H#<epoch>#r<res>} / {@code <cell>} for res 5 and 8: devices credited in the epoch in that hex, their
 *       units and rewards; the resolution-8 rows also list their devices (at most {@link #MAX_LISTED} each), so a
 *       click on a hex is one {@code GetItem} (or a {@code Query} of the children's key range for a coarser hex).</li>
 *   <li>{@code H#<epoch>} / {@code HEAD}: totals, written last: present means the epoch's summary is complete.</li>
 * </ul>
 * Every write is a put of values computed from closed, immutable records, so a rewrite is harmless.
 */
public final class DynamoHexSummaries {
    /** The resolutions summarised: 5 (~250 km², a country at a glance) and 8 (~0.7 km², a city). */
    public static final List<Integer> RESOLUTIONS = List.of(5, 8);
    /** The resolution whose rows list their devices. */
    public static final int LISTED_RESOLUTION = 8;
    /** Devices listed per resolution-8 row (~120 bytes each, far under the 400 KB item limit); the count is exact. */
    public static final int MAX_LISTED = 1000;
    private static final int BATCH_WRITE = 25;

    private final DynamoDbClient dynamo;
    private final TableNames tables;

    public DynamoHexSummaries(DynamoDbClient dynamo, TableNames tables) {
        this.dynamo = dynamo;
        this.tables = tables;
    }

    /** One hex of the summary. */
    public record Hex(String cell, long activeDevices, long units, BigInteger rewards) {
    }

    /** A device a resolution-8 row lists: its cell at close, owner paid, units and reward in the epoch. */
    public record Member(String deviceId, String cell, String owner, long units, BigInteger reward) {
    }

    /** The devices of a hex (at most {@link #MAX_LISTED} per resolution-8 row read) and how many the hex holds. */
    public record HexDevices(List<Member> devices, long total) {
    }

    /** The summary's totals. */
    public record Head(long epoch, long activeDevices, long locatedDevices, Map<Integer, Long> hexes) {
    }

    // ------------------------------------------------------------------------------------------------------------
    // Write (the epoch closer)

    /**
     * Writes the summaries of closed epochs that lack one, newest first from {@code lastClosed}, stopping at the first
     * epoch that has one (or at {@code firstEpoch}, or after {@code max}): a closer run that died after closing leaves
     * the summary to the next run.
     *
     * @param cellsAt the devices' cells at close for an epoch (the manifest's density cells, or the registry)
     * @return the epochs written
     */
    public List<Long> writeMissing(long lastClosed, long firstEpoch, int max, Function<Long, List<DeviceReward>> rewardsOf,
                                   java.util.function.BiFunction<Long, Collection<String>, Map<String, String>> cellsAt) {
        List<Long> written = new ArrayList<>();
        for (long e = lastClosed; e >= firstEpoch && written.size() < max && head(e).isEmpty(); e--) {
            List<DeviceReward> rewards = rewardsOf.apply(e);
            long epoch = e;
            write(e, rewards, cellsAt.apply(epoch, rewards.stream().map(DeviceReward::deviceId).toList()));
            written.add(e);
        }
        return written;
    }

    /** Writes one epoch's summary: its hex rows, then the head. */
    public void write(long epoch, List<DeviceReward> rewards, Map<String, String> cells) {
        Map<Integer, Map<String, Agg>> byRes = new TreeMap<>();
        long located = 0;
        for (DeviceReward r : rewards) {
            String cell = cells.get(r.deviceId());
            if (cell == null || !H3Index.isValidCell(cell)) {
                continue;
            }
            located++;
            for (int res : RESOLUTIONS) {
                Agg a = byRes.computeIfAbsent(res, k -> new TreeMap<>()).computeIfAbsent(at(cell, res), k -> new Agg());
                a.devices++;
                a.units += r.units();
                a.rewards = a.rewards.add(r.amount());
                if (res == LISTED_RESOLUTION && a.members.size() < MAX_LISTED) {
                    a.members.add(new Member(r.deviceId(), cell, r.owner(), r.units(), r.amount()));
                }
            }
        }
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        Map<String, AttributeValue> head = new HashMap<>(DynamoProofLedger.key("H#" + epoch, "HEAD"));
        head.put("activeDevices", n(rewards.size()));
        head.put("locatedDevices", n(located));
        for (int res : RESOLUTIONS) {
            Map<String, Agg> hexes = byRes.getOrDefault(res, Map.of());
            head.put("hexes" + res, n(hexes.size()));
            hexes.forEach((cell, a) -> {
                Map<String, AttributeValue> item = new HashMap<>(DynamoProofLedger.key(partition(epoch, res), cell));
                item.put("devices", n(a.devices));
                item.put("units", n(a.units));
                item.put("rewards", n(a.rewards));
                if (res == LISTED_RESOLUTION) {
                    Map<String, AttributeValue> members = new HashMap<>();
                    for (Member m : a.members) {
                        members.put(m.deviceId(), AttributeValue.fromM(Map.of("c", s(m.cell()), "o", s(m.owner()),
                                "u", n(m.units()), "a", n(m.reward()))));
                    }
                    item.put("members", AttributeValue.fromM(members));
                }
                items.add(item);
            });
        }
        batchPut(items);
        batchPut(List.of(head));
    }

    private static final class Agg {
        long devices;
        long units;
        BigInteger rewards = BigInteger.ZERO;
        final List<Member> members = new ArrayList<>();
    }

    /** The cell itself when it is no finer than {@code res}, else its parent there. */
    private static String at(String cell, int res) {
        return H3Index.resolution(cell) <= res ? cell : H3Native.get().cellToParentAddress(cell, res);
    }

    private static String partition(long epoch, int res) {
        return "H#" + epoch + "#r" + res;
    }

    private void batchPut(List<Map<String, AttributeValue>> items) {
        for (int i = 0; i < items.size(); i += BATCH_WRITE) {
            List<WriteRequest> batch = items.subList(i, Math.min(items.size(), i + BATCH_WRITE)).stream()
                    .map(item -> WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build()).toList();
            Map<String, List<WriteRequest>> request = Map.of(tables.rewards(), batch);
            while (!request.isEmpty()) {
                Map<String, List<WriteRequest>> current = request;
                BatchWriteItemResponse r = dynamo.batchWriteItem(b -> b.requestItems(current));
                request = r.hasUnprocessedItems() ? r.unprocessedItems() : Map.of();
            }
        }
    }

    /**
     * The devices' registered cells, by {@code BatchGetItem} of the devices table (100 keys a call, two attributes):
     * for an epoch whose manifest recorded no density cells.
     */
    public Map<String, String> registeredCells(Collection<String> deviceIds) {
        Map<String, String> out = new HashMap<>();
        List<Map<String, AttributeValue>> keys = deviceIds.stream().distinct().map(id -> Map.of("deviceId", s(id))).toList();
        for (Map<String, AttributeValue> item : BatchReads.get(dynamo, tables.devices(), keys,
                b -> b.projectionExpression("deviceId, h3Cell")).all()) {
            if (item.containsKey("h3Cell")) {
                out.put(str(item, "deviceId"), str(item, "h3Cell"));
            }
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Read (the explorer)

    /** The summary's totals; empty while the epoch has none (not closed, or the closer has not written it yet). */
    public Optional<Head> head(long epoch) {
        Map<String, AttributeValue> item = dynamo.getItem(g -> g.tableName(tables.rewards()).consistentRead(true)
                .key(DynamoProofLedger.key("H#" + epoch, "HEAD"))).item();
        if (item == null || item.isEmpty()) {
            return Optional.empty();
        }
        Map<Integer, Long> hexes = new TreeMap<>();
        RESOLUTIONS.forEach(r -> hexes.put(r, num(item, "hexes" + r)));
        return Optional.of(new Head(epoch, num(item, "activeDevices"), num(item, "locatedDevices"), hexes));
    }

    /** Every hex at {@code resolution} (one of {@link #RESOLUTIONS}): a Query of one partition, device lists left out. */
    public List<Hex> hexes(long epoch, int resolution) {
        List<Hex> out = new ArrayList<>();
        dynamo.queryPaginator(q -> q.tableName(tables.rewards()).keyConditionExpression("pk = :pk")
                        .expressionAttributeValues(Map.of(":pk", s(partition(epoch, resolution))))
                        .projectionExpression("sk, devices, units, rewards"))
                .items().forEach(item -> out.add(new Hex(str(item, "sk"), num(item, "devices"), num(item, "units"),
                        big(item, "rewards"))));
        return out;
    }

    /**
     * The devices credited in {@code cell} in the epoch: its resolution-8 row (a finer cell: its parent's row, filtered),
     * or the rows of its resolution-8 children, one key range (a coarser cell, resolution 5 to 7).
     */
    public HexDevices devicesIn(long epoch, String cell) {
        int res = H3Index.resolution(cell);
        if (res < RESOLUTIONS.get(0)) {
            throw new IllegalArgumentException("hex " + cell + " is coarser than resolution " + RESOLUTIONS.get(0));
        }
        List<Map<String, AttributeValue>> rows = new ArrayList<>();
        if (res >= LISTED_RESOLUTION) {
            String row = at(cell, LISTED_RESOLUTION);
            Map<String, AttributeValue> item = dynamo.getItem(g -> g.tableName(tables.rewards()).consistentRead(true)
                    .key(DynamoProofLedger.key(partition(epoch, LISTED_RESOLUTION), row))).item();
            if (item != null && !item.isEmpty()) {
                rows.add(item);
            }
        } else {
            // H3 orders a cell's descendants at one resolution as one contiguous range of indexes (digits res+1..8 run
            // from 0 to 7 under the same prefix), and the sort key is the index in 15 hex digits.
            dynamo.queryPaginator(q -> q.tableName(tables.rewards()).consistentRead(true)
                    .keyConditionExpression("pk = :pk AND sk BETWEEN :lo AND :hi")
                    .expressionAttributeValues(Map.of(":pk", s(partition(epoch, LISTED_RESOLUTION)),
                            ":lo", s(descendantBound(cell, LISTED_RESOLUTION, false)),
                            ":hi", s(descendantBound(cell, LISTED_RESOLUTION, true))))).items().forEach(rows::add);
        }
        List<Member> members = new ArrayList<>();
        long total = 0;
        for (Map<String, AttributeValue> row : rows) {
            List<Member> listed = new ArrayList<>();
            row.get("members").m().forEach((id, m) -> listed.add(new Member(id, m.m().get("c").s(), m.m().get("o").s(),
                    Long.parseLong(m.m().get("u").n()), new BigInteger(m.m().get("a").n()))));
            if (res > LISTED_RESOLUTION) {
                listed.removeIf(m -> H3Index.resolution(m.cell()) < res || !at(m.cell(), res).equals(cell));
                total += listed.size();
            } else {
                total += num(row, "devices");
            }
            members.addAll(listed);
        }
        members.sort(java.util.Comparator.comparing(Member::deviceId));
        return new HexDevices(members.size() > MAX_LISTED ? List.copyOf(members.subList(0, MAX_LISTED)) : members, total);
    }

    /** The lowest (or highest) index a descendant of {@code cell} at {@code res} can have, as 15 hex digits. */
    static String descendantBound(String cell, int res, boolean highest) {
        long h = Long.parseUnsignedLong(cell, 16);
        int from = H3Index.resolution(cell);
        h = (h & ~(0xFL << 52)) | ((long) res << 52);
        for (int digit = from + 1; digit <= res; digit++) {
            long mask = 7L << ((15 - digit) * 3);
            h = highest ? h | mask : h & ~mask;
        }
        return String.format("%015x", h);
    }
}
