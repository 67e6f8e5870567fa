package dev.flywheel.dynamodb;

import dev.flywheel.core.epoch.EpochClock;
import dev.flywheel.core.reward.WorkCredit;
import dev.flywheel.core.verify.InboundProof;
import dev.flywheel.core.verify.RateLimit;
import dev.flywheel.core.verify.ReasonCode;
import dev.flywheel.core.verify.Verdict;
import dev.flywheel.core.verify.VerdictLedger;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static dev.flywheel.dynamodb.Attr.n;
import static dev.flywheel.dynamodb.Attr.num;
import static dev.flywheel.dynamodb.Attr.s;
import static dev.flywheel.dynamodb.Attr.str;

/**
 * The proof ledger (one table, several item kinds):
 * <ul>
 *   <li>{@code D#<deliveryId> / VERDICT}: the verdict of one delivery, with deviceId + receivedKey for the byDevice index;</li>
 *   <li>{@code S#<deviceId>#<seq> / GUARD}: the replay guard, living as long as a proof of that age could still pass the freshness check;</li>
 *   <li>{@code E#<epoch> / W#<deviceId>#<deliveryId>}: a work credit the epoch closer sums;</li>
 *   <li>{@code R#<deviceId>#<window> / RATE}: accepted proofs in one rate window;</li>
 *   <li>{@code L#<deviceId> / T#<type>}: the newest accepted proof per type ({@link DynamoPriorProofs});</li>
 *   <li>{@code CB#, CQ#, CO#, CR#} items and {@code W#<device>#cov#<proofId>} credits: proof of coverage
 *       ({@link DynamoCoverageReports}).</li>
 * </ul>
 * An accepted proof writes verdict, guard, credit and rate count in one transaction that also checks
 * the epoch is still open, so a proof is credited at most once and never into an epoch being closed.
 */
public final class DynamoProofLedger implements VerdictLedger {
    static final String EPOCH_STATUS = "status";

    private final DynamoDbClient dynamo;
    private final String table;
    private final String epochsTable;
    private final EpochClock clock;
    private final Duration guardLifetime;
    private final DynamoPriorProofs priorProofs;
    private final DynamoCoverageReports coverage;
    private final RateLimit rateLimit;

    public DynamoProofLedger(DynamoDbClient dynamo, TableNames tables, EpochClock clock, Duration guardLifetime) {
        this(dynamo, tables, clock, guardLifetime, RateLimit.defaults());
    }

    public DynamoProofLedger(DynamoDbClient dynamo, TableNames tables, EpochClock clock, Duration guardLifetime,
                             RateLimit rateLimit) {
        this.rateLimit = rateLimit;
        this.dynamo = dynamo;
        this.table = tables.ledger();
        this.epochsTable = tables.epochs();
        this.clock = clock;
        this.guardLifetime = guardLifetime;
        this.priorProofs = new DynamoPriorProofs(dynamo, tables);
        this.coverage = new DynamoCoverageReports(dynamo, tables, clock);
    }

    /** Accepted coverage reports waiting for their window, and the windows' outcomes ({@link DynamoCoverageReports}). */
    public DynamoCoverageReports coverage() {
        return coverage;
    }

    /** The accepted-proof state this ledger keeps for checks across proofs. */
    public DynamoPriorProofs priorProofs() {
        return priorProofs;
    }

    @Override
    public Recorded record(InboundProof delivery, Verdict verdict) {
        long epoch = clock.epochOf(delivery.receivedAt());
        return switch (verdict) {
            case Verdict.Accepted accepted -> recordAccepted(delivery, accepted, epoch);
            case Verdict.Rejected rejected -> recordRejected(delivery, rejected, epoch);
        };
    }

    private Recorded recordAccepted(InboundProof delivery, Verdict.Accepted accepted, long receiveEpoch) {
        String deviceId = accepted.deviceId();
        long seq = accepted.proof().sequence();
        Map<String, AttributeValue> guardKey = key("S#" + deviceId + "#" + seq, "GUARD");
        // Credit goes to the receive-time epoch, or to the next open one when a backlog reaches a closing epoch.
        for (long epoch = receiveEpoch; epoch < receiveEpoch + 8; epoch++) {
            Map<String, AttributeValue> verdictItem = verdictItem(delivery, accepted, epoch);
            verdictItem.put("outcome", s("accepted"));
            verdictItem.put("proofId", s(accepted.proof().proofId()));
            verdictItem.put("seq", n(seq));
            verdictItem.put("proofType", s(accepted.proof().type()));
            verdictItem.put("units", n(accepted.workUnits()));
            verdictItem.put("evidence", AttributeValue.fromM(Map.of("clockSkewMillis", n(accepted.clockSkewMillis()))));

            Map<String, AttributeValue> guard = new HashMap<>(guardKey);
            guard.put("deliveryId", s(delivery.deliveryId()));
            guard.put("proofId", s(accepted.proof().proofId()));
            guard.put("expiresAt", n(delivery.receivedAt().plus(guardLifetime).getEpochSecond()));

            Map<String, AttributeValue> credit = new HashMap<>(key("E#" + epoch, "W#" + deviceId + "#" + delivery.deliveryId()));
            credit.put("device", s(deviceId));
            credit.put("owner", s(accepted.device().owner()));
            credit.put("units", n(accepted.workUnits()));
            credit.put("proofId", s(accepted.proof().proofId()));
            // The reward pool the closer sums these units into: the proof type (docs/rewards.md).
            credit.put("pool", s(accepted.proof().type()));

            final long creditEpoch = epoch;
            long window = rateLimit.windowStart(delivery.receivedAt().toEpochMilli());
            List<TransactWriteItem> writes = List.of(
                    TransactWriteItem.builder().put(p -> p.tableName(table).item(verdictItem)
                            .conditionExpression("attribute_not_exists(pk)")).build(),
                    TransactWriteItem.builder().put(p -> p.tableName(table).item(guard)
                            .conditionExpression("attribute_not_exists(pk)")).build(),
                    TransactWriteItem.builder().put(p -> p.tableName(table).item(credit)).build(),
                    TransactWriteItem.builder().conditionCheck(c -> c.tableName(epochsTable)
                            .key(Map.of("epoch", n(creditEpoch)))
                            .conditionExpression("attribute_not_exists(#s)")
                            .expressionAttributeNames(Map.of("#s", EPOCH_STATUS))).build(),
                    // Counted in the same transaction as the credit: a redelivery that changes nothing counts nothing.
                    TransactWriteItem.builder().update(u -> u.tableName(table)
                            .key(key("R#" + deviceId + "#" + window, "RATE"))
                            .updateExpression("ADD #c :one SET expiresAt = :exp")
                            .conditionExpression("attribute_not_exists(#c) OR #c < :max")
                            .expressionAttributeNames(Map.of("#c", "accepted"))
                            .expressionAttributeValues(Map.of(":one", n(1), ":max", n(rateLimit.maxAccepted()),
                                    ":exp", n(window + rateLimit.window().toSeconds() + 3600)))).build());
            try {
                dynamo.transactWriteItems(t -> t.transactItems(writes));
                priorProofs.remember(accepted, delivery.receivedAt());
                // Coverage reports wait for their window (0 units now; the window credits them). Idempotent by proof id.
                coverage.store(accepted, delivery.receivedAt());
                return new Recorded(Outcome.RECORDED, accepted, epoch);
            } catch (TransactionCanceledException e) {
                List<CancellationReason> reasons = e.cancellationReasons();
                if (failed(reasons, 0)) {
                    // A redelivery after a crash between the transaction and the store completes it; else a no-op.
                    if (coverage.isCoverage(accepted) && storedAsAccepted(delivery, accepted)) {
                        coverage.store(accepted, delivery.receivedAt());
                    }
                    return new Recorded(Outcome.ALREADY_RECORDED, accepted, epoch);
                }
                if (failed(reasons, 1)) {
                    return recordRejected(delivery, replayRejection(accepted, guardKey), receiveEpoch);
                }
                if (failed(reasons, 4)) {
                    return recordRejected(delivery, new Verdict.Rejected(deviceId, ReasonCode.RATE_LIMITED,
                            "more than " + rateLimit.maxAccepted() + " accepted proofs in " + rateLimit.window(),
                            accepted.proof().proofId(), seq, Map.of("limit", rateLimit.maxAccepted(),
                                    "windowSeconds", rateLimit.window().toSeconds(), "window", window)), receiveEpoch);
                }
                if (!failed(reasons, 3)) {
                    throw e;
                }
            }
        }
        throw new IllegalStateException("no open epoch within 8 of " + receiveEpoch + " for delivery " + delivery.deliveryId());
    }

    /** Whether the delivery's stored verdict is this proof, accepted (a redelivery may be judged otherwise now). */
    private boolean storedAsAccepted(InboundProof delivery, Verdict.Accepted accepted) {
        Map<String, AttributeValue> item = dynamo.getItem(g -> g.tableName(table).consistentRead(true)
                .key(key("D#" + delivery.deliveryId(), "VERDICT"))).item();
        return item != null && "accepted".equals(str(item, "outcome"))
                && accepted.proof().proofId().equals(str(item, "proofId"));
    }

    private Verdict.Rejected replayRejection(Verdict.Accepted accepted, Map<String, AttributeValue> guardKey) {
        Map<String, AttributeValue> guard = dynamo.getItem(g -> g.tableName(table).key(guardKey).consistentRead(true)).item();
        boolean sameProof = accepted.proof().proofId().equals(str(guard, "proofId"));
        return new Verdict.Rejected(accepted.deviceId(),
                sameProof ? ReasonCode.REPLAYED : ReasonCode.SEQUENCE_REUSED,
                sameProof ? "this proof was already received in another delivery"
                        : "sequence number " + accepted.proof().sequence() + " was already used by another proof",
                accepted.proof().proofId(), accepted.proof().sequence(),
                Map.of("firstDeliveryId", str(guard, "deliveryId"), "firstProofId", str(guard, "proofId")));
    }

    private Recorded recordRejected(InboundProof delivery, Verdict.Rejected rejected, long epoch) {
        Map<String, AttributeValue> item = verdictItem(delivery, rejected, epoch);
        item.put("outcome", s("rejected"));
        item.put("reason", s(rejected.reason().wire()));
        item.put("detail", s(rejected.detail()));
        if (rejected.proofId() != null) {
            item.put("proofId", s(rejected.proofId()));
        }
        item.put("seq", n(rejected.sequence()));
        Map<String, AttributeValue> evidence = new HashMap<>();
        rejected.evidence().forEach((k, v) -> evidence.put(k, Attr.evidence(v)));
        item.put("evidence", AttributeValue.fromM(evidence));
        try {
            dynamo.putItem(p -> p.tableName(table).item(item).conditionExpression("attribute_not_exists(pk)"));
            return new Recorded(Outcome.RECORDED, rejected, epoch);
        } catch (ConditionalCheckFailedException redelivered) {
            return new Recorded(Outcome.ALREADY_RECORDED, rejected, epoch);
        }
    }

    private Map<String, AttributeValue> verdictItem(InboundProof delivery, Verdict verdict, long epoch) {
        Map<String, AttributeValue> item = new HashMap<>(key("D#" + delivery.deliveryId(), "VERDICT"));
        item.put("deviceId", s(verdict.deviceId()));
        item.put("receivedKey", s(String.format("%013d#%s", delivery.receivedAt().toEpochMilli(), delivery.deliveryId())));
        item.put("receivedAt", n(delivery.receivedAt().toEpochMilli()));
        item.put("epoch", n(epoch));
        return item;
    }

    /** Every work credit of an epoch, strongly consistent, one entry per credited proof. */
    public List<WorkCredit> credits(long epoch) {
        return dynamo.queryPaginator(q -> q.tableName(table).consistentRead(true)
                        .keyConditionExpression("pk = :pk")
                        .expressionAttributeValues(Map.of(":pk", s("E#" + epoch))))
                .items().stream()
                .map(item -> new WorkCredit(str(item, "device"), str(item, "owner"), num(item, "units")))
                .toList();
    }

    /** One stored verdict, as operators and the claims API show it. */
    public record VerdictRecord(String deliveryId, String deviceId, String outcome, String reason, String detail,
                                String proofId, long sequence, long epoch, long receivedAtMillis,
                                Map<String, String> evidence) {
    }

    /** A device's newest verdicts first (byDevice index): its paper trail. */
    public List<VerdictRecord> verdictsForDevice(String deviceId, int limit) {
        return dynamo.query(q -> q.tableName(table).indexName("byDevice")
                        .keyConditionExpression("deviceId = :d")
                        .expressionAttributeValues(Map.of(":d", s(deviceId)))
                        .scanIndexForward(false).limit(limit))
                .items().stream().map(DynamoProofLedger::toVerdictRecord).toList();
    }

    /** Totals over all verdicts: accepted, and rejected per reason. A full scan: for operators and the devnet. */
    public VerdictCounts countVerdicts() {
        long accepted = 0;
        Map<String, Long> rejected = new TreeMap<>();
        for (Map<String, AttributeValue> item : dynamo.scanPaginator(q -> q.tableName(table).consistentRead(true)
                .filterExpression("sk = :v")
                .expressionAttributeValues(Map.of(":v", s("VERDICT")))).items()) {
            if ("accepted".equals(str(item, "outcome"))) {
                accepted++;
            } else {
                rejected.merge(str(item, "reason"), 1L, Long::sum);
            }
        }
        return new VerdictCounts(accepted, rejected);
    }

    public record VerdictCounts(long accepted, Map<String, Long> rejectedByReason) {
        public long rejected() {
            return rejectedByReason.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private static VerdictRecord toVerdictRecord(Map<String, AttributeValue> item) {
        Map<String, String> evidence = new TreeMap<>();
        AttributeValue ev = item.get("evidence");
        if (ev != null && ev.hasM()) {
            ev.m().forEach((k, v) -> evidence.put(k, v.n() != null ? v.n() : v.s()));
        }
        return new VerdictRecord(str(item, "pk").substring(2), str(item, "deviceId"), str(item, "outcome"),
                str(item, "reason"), str(item, "detail"), str(item, "proofId"),
                item.containsKey("seq") ? num(item, "seq") : -1, num(item, "epoch"), num(item, "receivedAt"), evidence);
    }

    private static boolean failed(List<CancellationReason> reasons, int index) {
        return reasons != null && reasons.size() > index && "ConditionalCheckFailed".equals(reasons.get(index).code());
    }

    static Map<String, AttributeValue> key(String pk, String sk) {
        return Map.of("pk", s(pk), "sk", s(sk));
    }
}
