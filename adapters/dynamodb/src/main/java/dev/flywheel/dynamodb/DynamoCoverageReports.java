package dev.flywheel.dynamodb;

import dev.flywheel.core.crypto.SignatureScheme;
import dev.flywheel.core.epoch.EpochClock;
import dev.flywheel.core.types.coverage.CoverageBeacon;
import dev.flywheel.core.types.coverage.CoverageWitness;
import dev.flywheel.core.types.coverage.BeaconReport;
import dev.flywheel.core.types.coverage.CoverageResult;
import dev.flywheel.core.types.coverage.CoverageResult.Outcome;
import dev.flywheel.core.types.coverage.CoverageWindowStore;
import dev.flywheel.core.types.coverage.WitnessReport;
import dev.flywheel.core.proof.DeviceRecord;
import dev.flywheel.core.proof.DeviceStatus;
import dev.flywheel.core.verify.AcceptedProofStore;
import dev.flywheel.core.verify.Verdict;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

import static dev.flywheel.dynamodb.Attr.n;
import static dev.flywheel.dynamodb.Attr.num;
import static dev.flywheel.dynamodb.Attr.s;
import static dev.flywheel.dynamodb.Attr.str;

/**
 * Proof-of-coverage state in the proof ledger table (docs/rewards-coverage.md section 5):
 * <ul>
 *   <li>{@code CB#<beaconKey> / B#<proofId>}: an accepted beacon ({@link BeaconReport});</li>
 *   <li>{@code CB#<beaconKey> / W#<proofId>}: an accepted witness of that beacon ({@link WitnessReport});</li>
 *   <li>{@code CB#<beaconKey> / EVALUATED}: the window was evaluated (credit epoch, units);</li>
 *   <li>{@code CQ#BEACONS / <receivedAt ms, 13 digits>#<beaconKey>}: beacons waiting for their window to close;</li>
 *   <li>{@code CQ#WITNESSES / <receivedAt ms>#<proofId>}: witnesses not yet judged (orphan / late detection);</li>
 *   <li>{@code CO#<deviceId> / <receivedAt ms>#<proofId>}: the outcome of one beacon or witness report, the
 *       paper trail ({@link #outcomesForDevice});</li>
 *   <li>{@code P#<deviceId> / C#<epoch>#<proofId>}: a coverage work credit (HIP-15 micro-units, {@code pool}
 *       = {@code coverage}) that the epoch closer sums with the device's other units ({@link DynamoEpochWork});</li>
 *   <li>{@code CR#<deviceId> / BEACONED | WITNESSED}: {@link DynamoReciprocityHistory}.</li>
 * </ul>
 * Storing a report is idempotent (conditional on its proof id). A window's credits are written in one transaction
 * that also creates the {@code EVALUATED} marker (only if absent), removes the window from the queue and checks the
 * credit epoch is open, so a window is credited at most once and never into an epoch being closed.
 */
public final class DynamoCoverageReports implements CoverageWindowStore, AcceptedProofStore {
    /**
     * The work sources a window's credits go to (config/network.json pools name them): the beaconer's units and the
     * rewarded witnesses' units apart, so a network can give beacons and witnesses separate shares (Helium: 6 % and
     * 24 %). Credits written before the split carry {@code coverage}.
     */
    public static final String BEACON_POOL = "coverage.beacon";
    public static final String WITNESS_POOL = "coverage.witness";
    private static final String BEACON_QUEUE = "CQ#BEACONS";
    private static final String WITNESS_QUEUE = "CQ#WITNESSES";
    private static final String EVALUATED = "EVALUATED";

    private final DynamoDbClient dynamo;
    private final String table;
    private final String epochsTable;
    private final EpochClock clock;
    private final DynamoReciprocityHistory history;

    public DynamoCoverageReports(DynamoDbClient dynamo, TableNames tables, EpochClock clock) {
        this.dynamo = dynamo;
        this.table = tables.ledger();
        this.epochsTable = tables.epochs();
        this.clock = clock;
        this.history = new DynamoReciprocityHistory(dynamo, tables);
    }

    public DynamoReciprocityHistory history() {
        return history;
    }

    // ---------------------------------------------------------------------------------------------
    // Storing accepted reports (called by the proof ledger after the accepted transaction)

    /** Stores an accepted coverage beacon or witness for its window; other proof types are ignored. Idempotent. */
    @Override
    public void accepted(Verdict.Accepted accepted, Instant receivedAt) {
        String proofId = accepted.proof().proofId();
        switch (accepted.proof().body()) {
            case CoverageBeacon b -> storeBeacon(new BeaconReport(proofId, accepted.device(), b, receivedAt));
            case CoverageWitness w -> storeWitness(new WitnessReport(proofId, accepted.device(), w, receivedAt));
            default -> {
            }
        }
    }

    public void storeBeacon(BeaconReport r) {
        Map<String, AttributeValue> item = new HashMap<>(DynamoProofLedger.key("CB#" + r.beaconKey(), "B#" + r.proofId()));
        item.putAll(deviceAttrs(r.device()));
        item.put("proofId", s(r.proofId()));
        item.put("receivedAt", n(r.receivedAt().toEpochMilli()));
        CoverageBeacon b = r.beacon();
        item.put("entropy", s(b.entropy()));
        item.put("frequencyHz", n(b.frequencyHz()));
        item.put("datarate", s(b.datarate()));
        item.put("txPower", n(b.txPowerDeciDbm()));
        item.put("payload", s(b.payload()));
        item.put("beaconId", s(b.id()));
        Map<String, AttributeValue> queued = new HashMap<>(DynamoProofLedger.key(BEACON_QUEUE, stamp(r.receivedAt()) + "#" + r.beaconKey()));
        queued.put("beaconKey", s(r.beaconKey()));
        queued.put("proofId", s(r.proofId()));
        putOnce(item, queued);
    }

    public void storeWitness(WitnessReport r) {
        Map<String, AttributeValue> item = new HashMap<>(DynamoProofLedger.key("CB#" + r.beaconKey(), "W#" + r.proofId()));
        item.putAll(deviceAttrs(r.device()));
        item.put("proofId", s(r.proofId()));
        item.put("receivedAt", n(r.receivedAt().toEpochMilli()));
        CoverageWitness w = r.witness();
        item.put("beaconer", s(w.beaconer()));
        item.put("beaconId", s(w.beacon()));
        item.put("payload", s(w.payload()));
        item.put("rssi", n(w.rssiDeciDbm()));
        item.put("snr", n(w.snrDeciDb()));
        item.put("frequencyHz", n(w.frequencyHz()));
        item.put("rxTime", n(w.rxTime()));
        Map<String, AttributeValue> queued = new HashMap<>(DynamoProofLedger.key(WITNESS_QUEUE, stamp(r.receivedAt()) + "#" + r.proofId()));
        queued.put("beaconKey", s(r.beaconKey()));
        queued.put("proofId", s(r.proofId()));
        putOnce(item, queued);
    }

    /** The report and its queue entry together, only if the report is new (a redelivery re-queues nothing). */
    private void putOnce(Map<String, AttributeValue> report, Map<String, AttributeValue> queued) {
        try {
            dynamo.transactWriteItems(t -> t.transactItems(
                    TransactWriteItem.builder().put(p -> p.tableName(table).item(report)
                            .conditionExpression("attribute_not_exists(pk)")).build(),
                    TransactWriteItem.builder().put(p -> p.tableName(table).item(queued)).build()));
        } catch (TransactionCanceledException e) {
            if (!failed(e.cancellationReasons(), 0)) {
                throw e;
            }
            // already stored
        }
    }

    // ---------------------------------------------------------------------------------------------
    // CoverageWindowStore

    @Override
    public List<BeaconReport> dueBeacons(Instant receivedUpTo, int limit) {
        List<BeaconReport> out = new ArrayList<>();
        for (Map<String, AttributeValue> q : queueUpTo(BEACON_QUEUE, receivedUpTo, limit)) {
            String key = str(q, "beaconKey");
            Map<String, AttributeValue> item = dynamo.getItem(g -> g.tableName(table).consistentRead(true)
                    .key(DynamoProofLedger.key("CB#" + key, "B#" + str(q, "proofId")))).item();
            out.add(beaconOf(item));
        }
        return out;
    }

    @Override
    public List<WitnessReport> witnessesOf(String beaconKey) {
        List<WitnessReport> out = new ArrayList<>();
        queryAll(q -> q.tableName(table).consistentRead(true)
                        .keyConditionExpression("pk = :pk AND begins_with(sk, :w)")
                        .expressionAttributeValues(Map.of(":pk", s("CB#" + beaconKey), ":w", s("W#"))),
                item -> out.add(witnessOf(item)));
        return out;
    }

    @Override
    public boolean commit(BeaconReport beacon, List<WitnessReport> witnesses, CoverageResult result) {
        // 1. History first: it only moves forward, and a window's own updates never change its own evaluation
        //    (the beaconer's WITNESSED and the witnesses' BEACONED come from other windows), so a retry after a
        //    crash evaluates the same way.
        history.record(result.reciprocityUpdates());
        // 2. The paper trail: one outcome per report, written once (a retry computes the same outcomes).
        Map<String, WitnessReport> byProof = new HashMap<>();
        witnesses.forEach(w -> byProof.put(w.proofId(), w));
        putOutcome(result.beacon(), "beacon", beacon.beaconKey(), beacon.receivedAt());
        for (Outcome o : result.witnesses()) {
            putOutcome(o, "witness", beacon.beaconKey(), byProof.get(o.proofId()).receivedAt());
        }
        // 3. Credits, the EVALUATED marker, the queue entry, each credited device's fence and the epoch check in one
        //    transaction: a credit never lands at or below a device's fence (the closer harvested that epoch for it).
        Map<String, AttributeValue> queueKey = DynamoProofLedger.key(BEACON_QUEUE, stamp(beacon.receivedAt()) + "#" + beacon.beaconKey());
        Map<String, String> owners = new TreeMap<>();
        List<Outcome> rewarded = new ArrayList<>();
        if (result.beacon().rewarded()) {
            rewarded.add(result.beacon());
            owners.put(result.beacon().deviceId(), beacon.device().owner());
        }
        for (Outcome o : result.witnesses()) {
            if (o.rewarded()) {
                rewarded.add(o);
                owners.putIfAbsent(o.deviceId(), byProof.get(o.proofId()).device().owner());
            }
        }
        long receiveEpoch = clock.epochOf(beacon.receivedAt());
        for (long epoch = receiveEpoch, attempt = 0; epoch < receiveEpoch + 8 && attempt < 32; attempt++) {
            final long creditEpoch = epoch;
            Map<String, AttributeValue> marker = new HashMap<>(DynamoProofLedger.key("CB#" + beacon.beaconKey(), EVALUATED));
            marker.put("epoch", n(epoch));
            marker.put("units", n(result.totalUnits()));
            marker.put("rewardedWitnesses", n(result.rewardedWitnesses()));
            marker.put("evaluatedAt", n(System.currentTimeMillis()));
            List<TransactWriteItem> writes = new ArrayList<>();
            writes.add(TransactWriteItem.builder().put(p -> p.tableName(table).item(marker)
                    .conditionExpression("attribute_not_exists(pk)")).build());
            writes.add(TransactWriteItem.builder().delete(d -> d.tableName(table).key(queueKey)).build());
            for (Outcome o : rewarded) {
                writes.add(credit(epoch, o, owners.get(o.deviceId()), beacon.beaconKey(),
                        o == result.beacon() ? BEACON_POOL : WITNESS_POOL));
            }
            for (String device : owners.keySet()) {
                writes.add(TransactWriteItem.builder().update(u -> u.tableName(table).key(DeviceState.key(device))
                        .updateExpression("ADD cv :e, v :one")
                        .conditionExpression("attribute_not_exists(f) OR f < :epoch")
                        .expressionAttributeValues(Map.of(":e", AttributeValue.fromNs(List.of(Long.toString(creditEpoch))),
                                ":one", n(1), ":epoch", n(creditEpoch)))).build());
            }
            writes.add(TransactWriteItem.builder().conditionCheck(c -> c.tableName(epochsTable)
                    .key(Map.of("epoch", n(creditEpoch)))
                    .conditionExpression("attribute_not_exists(#s)")
                    .expressionAttributeNames(Map.of("#s", DynamoProofLedger.EPOCH_STATUS))).build());
            try {
                dynamo.transactWriteItems(t -> t.transactItems(writes));
                return true;
            } catch (TransactionCanceledException e) {
                if (failed(e.cancellationReasons(), 0)) {
                    dynamo.deleteItem(d -> d.tableName(table).key(queueKey)); // evaluated by an earlier or concurrent run
                    return false;
                }
                boolean conditionFailed = e.cancellationReasons() != null && e.cancellationReasons().stream()
                        .anyMatch(r -> "ConditionalCheckFailed".equals(r.code()));
                boolean conflict = e.cancellationReasons() != null && e.cancellationReasons().stream()
                        .anyMatch(r -> "TransactionConflict".equals(r.code()));
                if (conditionFailed) {
                    epoch++; // that epoch is closing, or a device's fence passed it: the next open one gets the credits
                } else if (!conflict) {
                    throw e;
                }
                // a verifier wrote a credited device's state meanwhile: try the same epoch again
            }
        }
        throw new IllegalStateException("no open epoch within 8 of " + receiveEpoch + " for window " + beacon.beaconKey());
    }

    /** {@code P#<deviceId> / C#<epoch>#<proofId>}: in the device's own partition, beside its state. */
    private TransactWriteItem credit(long epoch, Outcome o, String owner, String beaconKey, String pool) {
        Map<String, AttributeValue> item = new HashMap<>(DynamoProofLedger.key(DeviceState.partition(o.deviceId()),
                "C#" + epoch + "#" + o.proofId()));
        item.put("device", s(o.deviceId()));
        item.put("owner", s(owner));
        item.put("units", n(o.units()));
        item.put("proofId", s(o.proofId()));
        item.put("pool", s(pool));
        item.put("beaconKey", s(beaconKey));
        return TransactWriteItem.builder().put(p -> p.tableName(table).item(item)).build();
    }

    @Override
    public List<WitnessReport> dueWitnesses(Instant receivedUpTo, int limit) {
        List<WitnessReport> out = new ArrayList<>();
        for (Map<String, AttributeValue> q : queueUpTo(WITNESS_QUEUE, receivedUpTo, limit)) {
            Map<String, AttributeValue> item = dynamo.getItem(g -> g.tableName(table).consistentRead(true)
                    .key(DynamoProofLedger.key("CB#" + str(q, "beaconKey"), "W#" + str(q, "proofId")))).item();
            out.add(witnessOf(item));
        }
        return out;
    }

    @Override
    public BeaconState beaconState(String beaconKey) {
        Map<String, AttributeValue> marker = dynamo.getItem(g -> g.tableName(table).consistentRead(true)
                .key(DynamoProofLedger.key("CB#" + beaconKey, EVALUATED))).item();
        if (marker != null && !marker.isEmpty()) {
            return BeaconState.EVALUATED;
        }
        QueryResponse beacons = dynamo.query(q -> q.tableName(table).consistentRead(true).limit(1)
                .keyConditionExpression("pk = :pk AND begins_with(sk, :b)")
                .expressionAttributeValues(Map.of(":pk", s("CB#" + beaconKey), ":b", s("B#"))));
        return beacons.items().isEmpty() ? BeaconState.NONE : BeaconState.PENDING;
    }

    @Override
    public boolean hasOutcome(WitnessReport w) {
        Map<String, AttributeValue> item = dynamo.getItem(g -> g.tableName(table).consistentRead(true)
                .key(outcomeKey(w.deviceId(), w.receivedAt(), w.proofId()))).item();
        return item != null && !item.isEmpty();
    }

    @Override
    public boolean commitWitness(WitnessReport w, Outcome outcome) {
        Map<String, AttributeValue> item = outcomeItem(outcome, "witness", w.beaconKey(), w.receivedAt());
        Map<String, AttributeValue> queueKey = DynamoProofLedger.key(WITNESS_QUEUE, stamp(w.receivedAt()) + "#" + w.proofId());
        try {
            dynamo.transactWriteItems(t -> t.transactItems(
                    TransactWriteItem.builder().put(p -> p.tableName(table).item(item)
                            .conditionExpression("attribute_not_exists(pk)")).build(),
                    TransactWriteItem.builder().delete(d -> d.tableName(table).key(queueKey)).build()));
            return true;
        } catch (TransactionCanceledException e) {
            if (!failed(e.cancellationReasons(), 0)) {
                throw e;
            }
            resolved(w);
            return false;
        }
    }

    @Override
    public void resolved(WitnessReport w) {
        dynamo.deleteItem(d -> d.tableName(table).key(DynamoProofLedger.key(WITNESS_QUEUE, stamp(w.receivedAt()) + "#" + w.proofId())));
    }

    // ---------------------------------------------------------------------------------------------
    // Reading the paper trail

    /** One stored coverage outcome: {@code role} is {@code beacon} or {@code witness}; reason null when valid and rewarded. */
    public record StoredOutcome(String deviceId, String proofId, String role, String beaconKey, boolean valid,
                                String reason, String detail, long units, long receivedAtMillis,
                                Map<String, String> evidence) {
    }

    /** Every coverage outcome of a device, oldest report first. */
    public List<StoredOutcome> outcomesForDevice(String deviceId) {
        List<StoredOutcome> out = new ArrayList<>();
        queryAll(q -> q.tableName(table).consistentRead(true).keyConditionExpression("pk = :pk")
                .expressionAttributeValues(Map.of(":pk", s("CO#" + deviceId))), item -> out.add(toStored(item)));
        return out;
    }

    /** The outcome of one report, if its window (or the orphan check) has judged it. */
    public java.util.Optional<StoredOutcome> outcome(String deviceId, Instant receivedAt, String proofId) {
        Map<String, AttributeValue> item = dynamo.getItem(g -> g.tableName(table).consistentRead(true)
                .key(outcomeKey(deviceId, receivedAt, proofId))).item();
        return item == null || item.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(toStored(item));
    }

    private void putOutcome(Outcome o, String role, String beaconKey, Instant receivedAt) {
        try {
            dynamo.putItem(p -> p.tableName(table).item(outcomeItem(o, role, beaconKey, receivedAt))
                    .conditionExpression("attribute_not_exists(pk)"));
        } catch (ConditionalCheckFailedException alreadyStored) {
            // a retried window: the first stored outcome stays
        }
    }

    private Map<String, AttributeValue> outcomeItem(Outcome o, String role, String beaconKey, Instant receivedAt) {
        Map<String, AttributeValue> item = new HashMap<>(outcomeKey(o.deviceId(), receivedAt, o.proofId()));
        item.put("device", s(o.deviceId()));
        item.put("proofId", s(o.proofId()));
        item.put("role", s(role));
        item.put("beaconKey", s(beaconKey));
        item.put("valid", AttributeValue.fromBool(o.valid()));
        if (o.reason() != null) {
            item.put("reason", s(o.reason().wire()));
        }
        item.put("detail", s(o.detail()));
        item.put("units", n(o.units()));
        item.put("receivedAt", n(receivedAt.toEpochMilli()));
        Map<String, AttributeValue> evidence = new HashMap<>();
        o.evidence().forEach((k, v) -> evidence.put(k, Attr.evidence(v)));
        item.put("evidence", AttributeValue.fromM(evidence));
        return item;
    }

    private static StoredOutcome toStored(Map<String, AttributeValue> item) {
        Map<String, String> evidence = new TreeMap<>();
        AttributeValue ev = item.get("evidence");
        if (ev != null && ev.hasM()) {
            ev.m().forEach((k, v) -> evidence.put(k, v.n() != null ? v.n() : v.s()));
        }
        return new StoredOutcome(str(item, "device"), str(item, "proofId"), str(item, "role"), str(item, "beaconKey"),
                item.get("valid").bool(), str(item, "reason"), str(item, "detail"), num(item, "units"),
                num(item, "receivedAt"), evidence);
    }

    private static Map<String, AttributeValue> outcomeKey(String deviceId, Instant receivedAt, String proofId) {
        return DynamoProofLedger.key("CO#" + deviceId, stamp(receivedAt) + "#" + proofId);
    }

    // ---------------------------------------------------------------------------------------------

    private List<Map<String, AttributeValue>> queueUpTo(String queue, Instant receivedUpTo, int limit) {
        // sk = <13-digit ms>#...: every entry received at or before receivedUpTo sorts below the next millisecond
        String bound = stamp(receivedUpTo.plusMillis(1));
        return dynamo.query(q -> q.tableName(table).consistentRead(true).limit(limit)
                .keyConditionExpression("pk = :pk AND sk < :bound")
                .expressionAttributeValues(Map.of(":pk", s(queue), ":bound", s(bound)))).items();
    }

    private void queryAll(Consumer<software.amazon.awssdk.services.dynamodb.model.QueryRequest.Builder> request,
                          Consumer<Map<String, AttributeValue>> sink) {
        dynamo.queryPaginator(request).items().forEach(sink);
    }

    private static String stamp(Instant at) {
        return String.format("%013d", at.toEpochMilli());
    }

    private static Map<String, AttributeValue> deviceAttrs(DeviceRecord d) {
        Map<String, AttributeValue> m = new HashMap<>();
        m.put("device", s(d.deviceId()));
        m.put("scheme", s(d.scheme().name()));
        m.put("publicKey", AttributeValue.fromB(SdkBytes.fromByteArray(d.publicKey())));
        m.put("owner", s(d.owner()));
        m.put("status", s(d.status().name()));
        if (d.h3Cell() != null) {
            m.put("h3Cell", s(d.h3Cell()));
        }
        return m;
    }

    private static DeviceRecord deviceOf(Map<String, AttributeValue> item) {
        return new DeviceRecord(str(item, "device"), SignatureScheme.valueOf(str(item, "scheme")),
                item.get("publicKey").b().asByteArray(), str(item, "owner"), DeviceStatus.valueOf(str(item, "status")),
                str(item, "h3Cell"));
    }

    private static BeaconReport beaconOf(Map<String, AttributeValue> item) {
        var body = new CoverageBeacon(str(item, "entropy"), num(item, "frequencyHz"), str(item, "datarate"),
                (int) num(item, "txPower"), str(item, "payload"), str(item, "beaconId"));
        return new BeaconReport(str(item, "proofId"), deviceOf(item), body, Instant.ofEpochMilli(num(item, "receivedAt")));
    }

    private static WitnessReport witnessOf(Map<String, AttributeValue> item) {
        var body = new CoverageWitness(str(item, "beaconer"), str(item, "beaconId"), str(item, "payload"),
                (int) num(item, "rssi"), (int) num(item, "snr"), num(item, "frequencyHz"), num(item, "rxTime"));
        return new WitnessReport(str(item, "proofId"), deviceOf(item), body, Instant.ofEpochMilli(num(item, "receivedAt")));
    }

    private static boolean failed(List<CancellationReason> reasons, int index) {
        return reasons != null && reasons.size() > index && "ConditionalCheckFailed".equals(reasons.get(index).code());
    }
}
