package dev.flywheel.dynamodb;

import dev.flywheel.core.epoch.EpochClock;
import dev.flywheel.core.json.CanonicalJson;
import dev.flywheel.core.json.InvalidJsonException;
import dev.flywheel.core.proof.ProofTypes;
import dev.flywheel.core.reward.WorkCredit;
import dev.flywheel.core.verify.AcceptedProofStore;
import dev.flywheel.core.verify.InboundProof;
import dev.flywheel.core.verify.RateLimit;
import dev.flywheel.core.proof.ReasonCode;
import dev.flywheel.core.verify.Verdict;
import dev.flywheel.core.verify.VerdictLedger;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import static dev.flywheel.dynamodb.Attr.n;
import static dev.flywheel.dynamodb.Attr.num;
import static dev.flywheel.dynamodb.Attr.s;
import static dev.flywheel.dynamodb.Attr.str;

/**
 * The proof ledger (one table; docs/architecture.md "Proof ledger" lists every key and access pattern):
 * <ul>
 *   <li>{@code P#<deviceId> / STATE}: the device's state ({@link DeviceState}): replay guard, rate counter, newest proof
 *       per type, units per open epoch and the closer's fence. An accepted proof costs one consistent read of it (shared with
 *       the verifier's prior-proof check) and one conditional write of it: nothing on this path is keyed by anything but
 *       the device;</li>
 *   <li>{@code P#<deviceId> / C#<epoch>#<proofId>}: a coverage credit ({@link DynamoCoverageReports});</li>
 *   <li>{@code V#<deviceId> / <receivedAt ms, 13 digits>#<deliveryId>}: a rejected delivery's verdict with reason, detail
 *       and evidence (unattributable messages under {@code V#_unattributed#<shard>});</li>
 *   <li>{@code N#<metric>#<parent cell> / D#<deviceId>}: neighbour readings ({@link DynamoNeighbourReadings}, only when
 *       the neighbour check is on);</li>
 *   <li>{@code CB#, CQ#, CO#, CR#}: proof of coverage ({@link DynamoCoverageReports}).</li>
 * </ul>
 * Exactly once: the state write is conditional on the version read, so of two racing deliveries of a device one wins and
 * the other re-reads and sees it. Late data: a credit lands in the first epoch at or after its receive epoch that is above
 * the device's fence and not seen closing ({@link DynamoEpochWork} fences each device when it harvests the epoch, so a
 * credit is either harvested in its epoch or lands in a later one, never lost).
 */
public final class DynamoProofLedger implements VerdictLedger {
    static final String EPOCH_STATUS = "status";
    /** The pseudo-device of messages that name no device (kept in {@link InboundProof#UNATTRIBUTED}). */
    static final int UNATTRIBUTED_SHARDS = 8;
    private static final int ATTEMPTS = 8;
    private static final int EPOCHS_AHEAD = 8;
    /** Most states {@link #warm} keeps: several batches' devices (a batch has at most 100 deliveries). */
    private static final int WARM_LIMIT = 10_000;

    private final DynamoDbClient dynamo;
    private final String table;
    private final String epochsTable;
    private final EpochClock clock;
    private final Duration guardLifetime;
    private final DynamoPriorProofs priorProofs;
    private final DynamoCoverageReports coverage;
    /** The proof types' own stores of accepted proofs ({@link AcceptedProofStore}); the ledger knows none of the types. */
    private final List<AcceptedProofStore> typeStores;
    private final RateLimit rateLimit;
    private final Duration epochStatusCache;
    private final Map<Long, Long> openSeenAt = new ConcurrentHashMap<>();
    private final Map<Long, Boolean> closingEpochs = new ConcurrentHashMap<>();
    /** States the verifier just read for its prior-proof check, handed to the write that follows (one read per proof). */
    private final Map<String, DeviceState> justRead = new ConcurrentHashMap<>();
    /**
     * States known for the batches in hand: read together by {@link #prepare} (one {@code BatchGetItem} per 100 devices
     * instead of a {@code GetItem} per proof) and replaced by what this ledger itself just wrote, so a device's next
     * proof in the batch needs no read at all. Only an optimisation: every write is conditional on the version, and a
     * state changed by another writer meanwhile ends in a re-read (or a re-judgement) as with a stale read.
     */
    private final Map<String, DeviceState> warm = new ConcurrentHashMap<>();

    public DynamoProofLedger(DynamoDbClient dynamo, TableNames tables, EpochClock clock, Duration guardLifetime) {
        this(dynamo, tables, clock, guardLifetime, RateLimit.defaults());
    }

    public DynamoProofLedger(DynamoDbClient dynamo, TableNames tables, EpochClock clock, Duration guardLifetime,
                             RateLimit rateLimit) {
        this(dynamo, tables, clock, guardLifetime, rateLimit, Duration.ZERO, true);
    }

    /**
     * @param guardLifetime    how long (receive time) an accepted sequence number is remembered: at least the freshness
     *                         window (a replay after it is stale anyway) plus how late a redelivery can come
     * @param epochStatusCache how long an epoch seen open is believed open (ZERO: read each time). Only where a late proof
     *                         lands depends on it, never whether it is credited: the closer's fence decides that
     * @param recordNeighbours whether accepted sensor readings also update the neighbour index (the neighbour check is on)
     */
    public DynamoProofLedger(DynamoDbClient dynamo, TableNames tables, EpochClock clock, Duration guardLifetime,
                             RateLimit rateLimit, Duration epochStatusCache, boolean recordNeighbours) {
        this.rateLimit = rateLimit;
        this.dynamo = dynamo;
        this.table = tables.ledger();
        this.epochsTable = tables.epochs();
        this.clock = clock;
        this.guardLifetime = guardLifetime;
        this.epochStatusCache = epochStatusCache;
        this.priorProofs = new DynamoPriorProofs(this);
        this.coverage = new DynamoCoverageReports(dynamo, tables, clock);
        this.typeStores = recordNeighbours ? List.of(coverage, new DynamoNeighbourReadings(dynamo, tables)) : List.of(coverage);
    }

    /** Accepted coverage reports waiting for their window, and the windows' outcomes ({@link DynamoCoverageReports}). */
    public DynamoCoverageReports coverage() {
        return coverage;
    }

    /** The accepted-proof state this ledger keeps for checks across proofs. */
    public DynamoPriorProofs priorProofs() {
        return priorProofs;
    }

    /** The epoch's work per device, streamed and fenced ({@link DynamoEpochWork}). */
    public DynamoEpochWork epochWork() {
        return new DynamoEpochWork(dynamo, table);
    }

    @Override
    public Recorded record(InboundProof delivery, Verdict verdict) {
        long epoch = clock.epochOf(delivery.receivedAt());
        return switch (verdict) {
            case Verdict.Accepted accepted -> recordAccepted(delivery, accepted, epoch);
            case Verdict.Rejected rejected -> recordRejected(delivery, rejected, epoch, justRead.remove(rejected.deviceId()));
        };
    }

    /**
     * Reads the state of every device of the batch at once, eventually consistent (as {@link #readForVerification}).
     * Replaces only the batch's own devices: a ledger may serve concurrent batches (the devnet runs one per shard or
     * poller in one JVM), and clearing the map dropped the states the others had just read, one {@code GetItem} each.
     */
    @Override
    public void prepare(List<InboundProof> batch) {
        if (warm.size() > WARM_LIMIT) {
            warm.clear();
        }
        List<String> devices = batch.stream().map(InboundProof::topicDeviceId)
                .filter(d -> d != null && !InboundProof.UNATTRIBUTED.equals(d)).distinct().toList();
        BatchReads.Found found = BatchReads.get(dynamo, table, devices.stream().map(DeviceState::key).toList(), false);
        Map<String, Map<String, AttributeValue>> byPk = new HashMap<>();
        found.items().forEach(item -> byPk.put(str(item, "pk"), item));
        java.util.Set<String> unprocessed = new java.util.HashSet<>();
        found.unprocessed().forEach(key -> unprocessed.add(str(key, "pk")));
        for (String deviceId : devices) {
            String pk = DeviceState.partition(deviceId);
            if (unprocessed.contains(pk)) { // read one by one as before, not from an older batch's state
                warm.remove(deviceId);
            } else {
                warm.put(deviceId, DeviceState.from(deviceId, byPk.get(pk)));
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // State reads (shared with DynamoPriorProofs)

    DeviceState readState(String deviceId) {
        return readState(deviceId, true);
    }

    private DeviceState readState(String deviceId, boolean consistent) {
        Map<String, AttributeValue> item = dynamo.getItem(g -> g.tableName(table).key(DeviceState.key(deviceId))
                .consistentRead(consistent)).item();
        return DeviceState.from(deviceId, item);
    }

    /**
     * Reads the state for the verifier, eventually consistent (half a read unit), and keeps it for the write that follows.
     * A stale read cannot do harm: the write is conditional on the version read, and when it fails and the newer state
     * holds another prior proof of the type, the delivery is retried whole ({@link StateChangedDuringVerification}).
     */
    DeviceState readForVerification(String deviceId) {
        DeviceState known = warm.remove(deviceId);
        DeviceState state = known != null ? known : readState(deviceId, false);
        state.readForVerification = true;
        if (justRead.size() > 10_000) {
            justRead.clear(); // reads whose record never came (a crash mid-batch): the write re-reads
        }
        justRead.put(deviceId, state);
        return state;
    }

    private DeviceState stateFor(String deviceId) {
        DeviceState state = justRead.remove(deviceId);
        return state != null ? state : readState(deviceId);
    }

    // ---------------------------------------------------------------------------------------------
    // Accepted proofs

    private Recorded recordAccepted(InboundProof delivery, Verdict.Accepted accepted, long receiveEpoch) {
        String deviceId = accepted.deviceId();
        var proof = accepted.proof();
        long receivedMs = delivery.receivedAt().toEpochMilli();
        String fingerprint = DeviceState.fingerprint(delivery.deliveryId());
        DeviceState state = stateFor(deviceId);
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            if (state.rejected.containsKey(fingerprint)) {
                return new Recorded(Outcome.ALREADY_RECORDED, accepted, receiveEpoch); // first judged a rejection
            }
            DeviceState.GuardEntry used = state.guardFor(proof.sequence());
            if (used != null) {
                if (used.deliveryId().equals(delivery.deliveryId())) {
                    // A redelivery after a crash between the state write and the type stores completes them; else no-ops.
                    typeStores.forEach(store -> store.accepted(accepted, delivery.receivedAt()));
                    return new Recorded(Outcome.ALREADY_RECORDED, accepted, used.epoch());
                }
                return recordRejected(delivery, replayRejection(accepted, used), receiveEpoch, state);
            }
            long window = rateLimit.windowStart(receivedMs);
            // A window older than every one kept (an out-of-order backlog) is neither checked nor counted.
            boolean tracked = state.rate.size() < DeviceState.RATE_WINDOWS_KEPT || window >= state.rate.firstKey();
            if (tracked && state.rate.getOrDefault(window, 0L) >= rateLimit.maxAccepted()) {
                return recordRejected(delivery, new Verdict.Rejected(deviceId, ReasonCode.RATE_LIMITED,
                        "more than " + rateLimit.maxAccepted() + " accepted proofs in " + rateLimit.window(),
                        proof.proofId(), proof.sequence(), Map.of("limit", rateLimit.maxAccepted(),
                                "windowSeconds", rateLimit.window().toSeconds(), "window", window)), receiveEpoch, state);
            }
            long epoch = openEpoch(Math.max(receiveEpoch, state.lowestOpenEpoch()));

            state.owner = accepted.device().owner();
            state.guard.add(new DeviceState.GuardEntry(proof.sequence(), receivedMs, epoch, accepted.clockSkewMillis(),
                    accepted.workUnits(), delivery.deliveryId(), proof.proofId()));
            state.prune(receivedMs, guardLifetime.toMillis());
            remember(state, accepted, receivedMs);
            if (accepted.workUnits() > 0) {
                state.units.computeIfAbsent(epoch, e -> new TreeMap<>()).merge(proof.type(), accepted.workUnits(), Math::addExact);
            }
            if (tracked) {
                state.rate.merge(window, 1L, Long::sum);
            }
            state.accepted++;
            if (write(state, epoch) instanceof WriteResult.Written(long credited)) {
                // What the proof's type keeps besides (coverage reports for their window, the neighbour index): after the
                // state write, so a crash between them is completed by the redelivery. Each store is idempotent.
                typeStores.forEach(store -> store.accepted(accepted, delivery.receivedAt()));
                return new Recorded(Outcome.RECORDED, accepted, credited);
            }
            DeviceState written = state;
            state = readState(deviceId);
            if (written.readForVerification && !samePrior(written, state, proof.type())) {
                // The verifier judged this proof against a prior proof that is no longer the newest: judge it again,
                // against the state just read (not a batch read-ahead that may be as old as the one that failed).
                warm.put(deviceId, state);
                throw new StateChangedDuringVerification(deviceId, delivery.deliveryId());
            }
        }
        throw new IllegalStateException("state of device " + deviceId + " kept changing; delivery " + delivery.deliveryId()
                + " not recorded");
    }

    private static boolean samePrior(DeviceState a, DeviceState b, String type) {
        DeviceState.StoredPrior pa = a.priors.get(type);
        DeviceState.StoredPrior pb = b.priors.get(type);
        return pa == null ? pb == null : pb != null && pa.seq() == pb.seq();
    }

    /** A delivery to verify again (a storage-level retry: the batch reports it failed and SQS brings it back). */
    public static final class StateChangedDuringVerification extends VerdictLedger.StaleVerdictException {
        StateChangedDuringVerification(String deviceId, String deliveryId) {
            super("state of device " + deviceId + " changed while delivery " + deliveryId + " was verified");
        }
    }

    /** The newest accepted proof of its type, unless a later sequence is already kept; {@code repeats} counts equal bodies. */
    private static void remember(DeviceState state, Verdict.Accepted accepted, long receivedMs) {
        var proof = accepted.proof();
        DeviceState.StoredPrior stored = state.priors.get(proof.type());
        if (stored != null && stored.seq() >= proof.sequence()) {
            return; // an out-of-order delivery: the newer state stays
        }
        String body;
        try {
            body = new String(CanonicalJson.canonicalize(ProofTypes.encode(proof.body())), StandardCharsets.UTF_8);
        } catch (InvalidJsonException e) {
            throw new IllegalStateException("accepted proof body cannot be canonicalized", e);
        }
        long repeats = stored != null && body.equals(stored.body()) ? stored.repeats() + 1 : 0;
        state.priors.put(proof.type(), new DeviceState.StoredPrior(proof.sequence(), proof.deviceTime().toEpochMilli(),
                receivedMs, proof.h3Cell(), Math.min(repeats, Integer.MAX_VALUE), body));
    }

    /** What a state write did: written (crediting {@code epoch}, when it credits), lost to a concurrent writer. */
    private sealed interface WriteResult {
        record Written(long epoch) implements WriteResult {
        }

        record Conflict() implements WriteResult {
        }
    }

    private static final WriteResult CONFLICT = new WriteResult.Conflict();

    /**
     * Writes the next version of the state, conditional on the version read. A device's first item is a plain conditional
     * put (no transaction: transactions cost double, and moto copies its whole table per transaction), followed by a
     * consistent read of the credit epoch's status, because the closer's fence only reaches items its scan sees: if the
     * close began around the put, {@link #leaveClosingEpoch} moves the credit on unless the closer fenced the item first.
     */
    private WriteResult write(DeviceState state, long creditEpoch) {
        Map<String, AttributeValue> item = state.toItem();
        try {
            if (state.exists()) {
                dynamo.putItem(p -> p.tableName(table).item(item).conditionExpression("v = :v")
                        .expressionAttributeValues(Map.of(":v", n(state.version))));
            } else {
                dynamo.putItem(p -> p.tableName(table).item(item).conditionExpression("attribute_not_exists(pk)"));
            }
        } catch (ConditionalCheckFailedException changed) {
            return CONFLICT;
        }
        DeviceState written = DeviceState.from(state.deviceId, item);
        warm.put(state.deviceId, written);
        if (state.exists() || !item.containsKey("u") || !closingNow(creditEpoch)) {
            return new WriteResult.Written(creditEpoch);
        }
        closingEpochs.put(creditEpoch, true);
        return new WriteResult.Written(leaveClosingEpoch(written, creditEpoch));
    }

    /**
     * The device's first item was put while {@code closing} began closing, and the closer's scan may have missed it. Either
     * the closer fenced the item (its units for the epoch are harvested: done), or this fences it itself, moving the
     * epoch's units and guard entries to the next open epoch. Both writes are conditional on the version, so exactly one
     * wins; a closer that reaches the item afterwards finds the fence and no units left in the epoch.
     *
     * @return the epoch the device's credits of {@code closing} now sit in
     */
    private long leaveClosingEpoch(DeviceState state, long closing) {
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            if (state.fence != null && state.fence >= closing) {
                return closing;
            }
            long next = closing + 1;
            while (closingNow(next)) { // fresh reads: a cached "open" could name an epoch whose scan already passed
                closingEpochs.put(next, true);
                next++;
            }
            long into = next;
            TreeMap<String, Long> moved = state.units.remove(closing);
            if (moved != null) {
                TreeMap<String, Long> target = state.units.computeIfAbsent(into, e -> new TreeMap<>());
                moved.forEach((pool, u) -> target.merge(pool, u, Math::addExact));
            }
            state.guard.replaceAll(e -> e.epoch() == closing ? new DeviceState.GuardEntry(e.seq(), e.receivedAtMillis(), into,
                    e.clockSkewMillis(), e.units(), e.deliveryId(), e.proofId()) : e);
            state.fence = closing;
            if (write(state, Long.MIN_VALUE) instanceof WriteResult.Written) {
                return into;
            }
            state = readState(state.deviceId);
        }
        throw new IllegalStateException("state of device " + state.deviceId + " kept changing while leaving closing epoch " + closing);
    }

    /** Whether the epoch has begun closing, read consistently (no cache: the first-write check depends on it). */
    private boolean closingNow(long epoch) {
        Map<String, AttributeValue> item = dynamo.getItem(g -> g.tableName(epochsTable).consistentRead(true)
                .key(Map.of("epoch", n(epoch)))).item();
        return item != null && item.containsKey(EPOCH_STATUS);
    }

    /** The first epoch at or after {@code from} not seen closing. */
    private long openEpoch(long from) {
        for (long epoch = from; epoch < from + EPOCHS_AHEAD; epoch++) {
            if (!closing(epoch)) {
                return epoch;
            }
        }
        // A backlog older than EPOCHS_AHEAD epochs (short devnet epochs behind a slow stand-in, issue 12): the epoch now
        // running, or the next ones, is where a late proof goes, as for any delivery after its epoch closed.
        long now = Math.max(from, clock.epochOf(java.time.Instant.now()));
        for (long epoch = now; epoch < now + EPOCHS_AHEAD; epoch++) {
            if (!closing(epoch)) {
                return epoch;
            }
        }
        throw new IllegalStateException("no open epoch within " + EPOCHS_AHEAD + " of " + from + " or of " + now);
    }

    private boolean closing(long epoch) {
        if (closingEpochs.containsKey(epoch)) {
            return true;
        }
        long now = System.nanoTime();
        Long seen = openSeenAt.get(epoch);
        if (seen != null && now - seen < epochStatusCache.toNanos()) {
            return false;
        }
        Map<String, AttributeValue> item = dynamo.getItem(g -> g.tableName(epochsTable).consistentRead(true)
                .key(Map.of("epoch", n(epoch)))).item();
        if (item != null && item.containsKey(EPOCH_STATUS)) {
            closingEpochs.put(epoch, true); // closing never reverts
            return true;
        }
        if (openSeenAt.size() > 1_000) {
            openSeenAt.clear();
        }
        openSeenAt.put(epoch, now);
        return false;
    }

    private static Verdict.Rejected replayRejection(Verdict.Accepted accepted, DeviceState.GuardEntry first) {
        boolean sameProof = accepted.proof().proofId().equals(first.proofId());
        return new Verdict.Rejected(accepted.deviceId(),
                sameProof ? ReasonCode.REPLAYED : ReasonCode.SEQUENCE_REUSED,
                sameProof ? "this proof was already received in another delivery"
                        : "sequence number " + accepted.proof().sequence() + " was already used by another proof",
                accepted.proof().proofId(), accepted.proof().sequence(),
                Map.of("firstDeliveryId", first.deliveryId(), "firstProofId", first.proofId()));
    }

    // ---------------------------------------------------------------------------------------------
    // Rejections

    private Recorded recordRejected(InboundProof delivery, Verdict.Rejected rejected, long epoch, DeviceState known) {
        boolean attributable = !InboundProof.UNATTRIBUTED.equals(rejected.deviceId());
        DeviceState state = known;
        if (attributable) {
            state = state != null ? state : readState(rejected.deviceId());
            for (DeviceState.GuardEntry e : state.guard) {
                if (e.deliveryId().equals(delivery.deliveryId())) {
                    // A redelivery of an accepted delivery, judged otherwise now (its own prior proof makes it look too
                    // frequent, say): the first verdict stands.
                    return new Recorded(Outcome.ALREADY_RECORDED, rejected, e.epoch());
                }
            }
        }
        // An unreadable message's receive time is the verifier's clock, not the rule's, so it differs on a redelivery:
        // its verdict is keyed by the delivery id alone.
        String sortKey = InboundProof.UNATTRIBUTED.equals(rejected.deviceId()) ? "D#" + delivery.deliveryId()
                : String.format("%013d#%s", delivery.receivedAt().toEpochMilli(), delivery.deliveryId());
        Map<String, AttributeValue> item = new HashMap<>(DynamoProofLedger.key(verdictPartition(rejected.deviceId(),
                delivery.deliveryId()), sortKey));
        item.put("deliveryId", s(delivery.deliveryId()));
        item.put("device", s(rejected.deviceId()));
        item.put("receivedAt", n(delivery.receivedAt().toEpochMilli()));
        item.put("epoch", n(epoch));
        item.put("reason", s(rejected.reason().wire()));
        item.put("detail", s(rejected.detail()));
        if (rejected.proofId() != null) {
            item.put("proofId", s(rejected.proofId()));
        }
        item.put("seq", n(rejected.sequence()));
        Map<String, AttributeValue> evidence = new HashMap<>();
        rejected.evidence().forEach((k, v) -> evidence.put(k, Attr.evidence(v)));
        item.put("evidence", AttributeValue.fromM(evidence));
        Outcome outcome;
        try {
            dynamo.putItem(p -> p.tableName(table).item(item).conditionExpression("attribute_not_exists(pk)"));
            outcome = Outcome.RECORDED;
        } catch (ConditionalCheckFailedException redelivered) {
            outcome = Outcome.ALREADY_RECORDED;
        }
        if (attributable) {
            // After the verdict (a crash in between leaves a verdict; its redelivery repairs this): a rejected delivery
            // is remembered so a redelivery judged otherwise later (the device registered meanwhile) is not credited.
            rememberRejection(rejected.deviceId(), delivery, state);
        }
        return new Recorded(outcome, rejected, epoch);
    }

    private void rememberRejection(String deviceId, InboundProof delivery, DeviceState known) {
        String fingerprint = DeviceState.fingerprint(delivery.deliveryId());
        long receivedMs = delivery.receivedAt().toEpochMilli();
        DeviceState state = known != null ? known : readState(deviceId);
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            if (state.rejected.containsKey(fingerprint)) {
                return;
            }
            state.rejected.put(fingerprint, receivedMs / 1000);
            state.prune(receivedMs, guardLifetime.toMillis());
            if (write(state, Long.MIN_VALUE) instanceof WriteResult.Written) {
                return;
            }
            state = readState(deviceId);
        }
        throw new IllegalStateException("state of device " + deviceId + " kept changing");
    }

    private static String verdictPartition(String deviceId, String deliveryId) {
        if (InboundProof.UNATTRIBUTED.equals(deviceId)) {
            // Messages that name no device share no hot key either: spread over a few shards by delivery id.
            return "V#" + deviceId + "#" + Math.floorMod(deliveryId.hashCode(), UNATTRIBUTED_SHARDS);
        }
        return "V#" + deviceId;
    }

    // ---------------------------------------------------------------------------------------------
    // Reads for operators, tests and the claims API

    /**
     * Every device's units in an epoch, strongly consistent, one entry per device with its units summed over pools.
     * A plain read: the closer harvests with {@link #epochWork()}, which also fences each device.
     */
    public List<WorkCredit> credits(long epoch) {
        Map<String, long[]> units = new TreeMap<>();
        Map<String, String> owners = new HashMap<>();
        String coveragePrefix = "C#" + epoch + "#";
        for (Map<String, AttributeValue> item : dynamo.scanPaginator(q -> q.tableName(table).consistentRead(true)
                .filterExpression("sk = :state OR begins_with(sk, :c)")
                .expressionAttributeValues(Map.of(":state", s(DeviceState.SK), ":c", s(coveragePrefix)))).items()) {
            String deviceId = str(item, "pk").substring(2);
            if (DeviceState.SK.equals(str(item, "sk"))) {
                DeviceState state = DeviceState.from(deviceId, item);
                var pools = state.units.get(epoch);
                if (pools != null) {
                    units.computeIfAbsent(deviceId, d -> new long[1])[0] += pools.values().stream().mapToLong(Long::longValue).sum();
                    owners.put(deviceId, state.owner);
                }
            } else {
                units.computeIfAbsent(deviceId, d -> new long[1])[0] += num(item, "units");
                owners.putIfAbsent(deviceId, str(item, "owner"));
            }
        }
        List<WorkCredit> out = new ArrayList<>();
        units.forEach((device, u) -> out.add(new WorkCredit(device, owners.get(device), u[0])));
        return out;
    }

    /** One stored verdict, as operators and the claims API show it. */
    public record VerdictRecord(String deliveryId, String deviceId, String outcome, String reason, String detail,
                                String proofId, long sequence, long epoch, long receivedAtMillis,
                                Map<String, String> evidence) {
    }

    /**
     * A device's newest verdicts first: its accepted proofs still in the replay guard (the guard lifetime) and its
     * rejections. Older accepted verdicts are in the paper trail.
     */
    public List<VerdictRecord> verdictsForDevice(String deviceId, int limit) {
        List<VerdictRecord> all = new ArrayList<>();
        if (!InboundProof.UNATTRIBUTED.equals(deviceId)) {
            for (DeviceState.GuardEntry e : readState(deviceId).guard) {
                all.add(accepted(deviceId, e));
            }
        }
        List<String> partitions = new ArrayList<>();
        if (InboundProof.UNATTRIBUTED.equals(deviceId)) {
            for (int shard = 0; shard < UNATTRIBUTED_SHARDS; shard++) {
                partitions.add("V#" + deviceId + "#" + shard);
            }
        } else {
            partitions.add("V#" + deviceId);
        }
        for (String partition : partitions) {
            dynamo.query(q -> q.tableName(table).consistentRead(true).keyConditionExpression("pk = :pk")
                            .expressionAttributeValues(Map.of(":pk", s(partition))).scanIndexForward(false).limit(limit))
                    .items().forEach(item -> all.add(toVerdictRecord(item)));
        }
        all.sort(Comparator.comparingLong(VerdictRecord::receivedAtMillis).thenComparing(VerdictRecord::deliveryId).reversed());
        return all.size() > limit ? List.copyOf(all.subList(0, limit)) : all;
    }

    /**
     * Every verdict still in the table (accepted ones while in their device's replay guard, every rejection), in no
     * particular order. A full scan: for operators and tests.
     */
    public List<VerdictRecord> scanVerdicts() {
        List<VerdictRecord> out = new ArrayList<>();
        for (Map<String, AttributeValue> item : dynamo.scanPaginator(q -> q.tableName(table).consistentRead(true)
                .filterExpression("sk = :state OR begins_with(pk, :v)")
                .expressionAttributeValues(Map.of(":state", s(DeviceState.SK), ":v", s("V#")))).items()) {
            if (DeviceState.SK.equals(str(item, "sk"))) {
                String deviceId = str(item, "pk").substring(2);
                for (DeviceState.GuardEntry e : DeviceState.from(deviceId, item).guard) {
                    out.add(accepted(deviceId, e));
                }
            } else {
                out.add(toVerdictRecord(item));
            }
        }
        return out;
    }

    private static VerdictRecord accepted(String deviceId, DeviceState.GuardEntry e) {
        return new VerdictRecord(e.deliveryId(), deviceId, "accepted", null, null, e.proofId(), e.seq(), e.epoch(),
                e.receivedAtMillis(), Map.of("clockSkewMillis", Long.toString(e.clockSkewMillis()),
                        "workUnits", Long.toString(e.units())));
    }

    /** Totals over all verdicts: accepted, and rejected per reason. A full scan: for operators and the devnet. */
    public VerdictCounts countVerdicts() {
        long accepted = 0;
        Map<String, Long> rejected = new TreeMap<>();
        for (Map<String, AttributeValue> item : dynamo.scanPaginator(q -> q.tableName(table).consistentRead(true)
                .filterExpression("sk = :state OR begins_with(pk, :v)")
                .expressionAttributeValues(Map.of(":state", s(DeviceState.SK), ":v", s("V#")))).items()) {
            if (DeviceState.SK.equals(str(item, "sk"))) {
                accepted += item.containsKey("na") ? num(item, "na") : 0;
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
        return new VerdictRecord(str(item, "deliveryId"), str(item, "device"), "rejected",
                str(item, "reason"), str(item, "detail"), str(item, "proofId"),
                item.containsKey("seq") ? num(item, "seq") : -1, num(item, "epoch"), num(item, "receivedAt"), evidence);
    }

    static Map<String, AttributeValue> key(String pk, String sk) {
        return Map.of("pk", s(pk), "sk", s(sk));
    }
}
