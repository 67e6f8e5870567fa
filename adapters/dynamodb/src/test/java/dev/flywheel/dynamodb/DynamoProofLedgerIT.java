package dev.flywheel.dynamodb;

import dev.flywheel.core.types.sensor.SensorReason;
import dev.flywheel.testing.MotoTables;
import org.junit.jupiter.api.extension.RegisterExtension;
import dev.flywheel.core.crypto.DeviceSigningKey;
import dev.flywheel.core.crypto.SignatureScheme;
import dev.flywheel.core.epoch.EpochClock;
import dev.flywheel.core.proof.ProofCodec;
import dev.flywheel.core.types.sensor.SensorReading;
import dev.flywheel.core.reward.WorkCredit;
import dev.flywheel.core.proof.DeviceRecord;
import dev.flywheel.core.proof.DeviceStatus;
import dev.flywheel.core.verify.InboundProof;
import dev.flywheel.core.proof.PlausibilityChecks;
import dev.flywheel.core.verify.ProofVerifier;
import dev.flywheel.core.proof.ReasonCode;
import dev.flywheel.core.verify.Verdict;
import dev.flywheel.core.verify.VerdictLedger;
import dev.flywheel.core.verify.VerdictLedger.Outcome;
import dev.flywheel.core.verify.VerificationPolicy;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DynamoProofLedger on a real moto_server: verdicts built the way production builds them (signed by
 * a device key, decoded, verified against a directory), then recorded. Each test uses its own devices
 * and its own epochs, so tests share the class's tables without seeing each other's data.
 */
class DynamoProofLedgerIT {
    @RegisterExtension
    static final MotoTables MOTO = new MotoTables();
    private static final Instant GENESIS = Instant.parse("2026-01-01T00:00:00Z");
    private static final EpochClock CLOCK = new EpochClock(GENESIS, Duration.ofSeconds(60));
    private static final SecureRandom RANDOM = new SecureRandom();

    private static DynamoDbClient dynamo;
    private static TableNames tables;
    private static DynamoProofLedger ledger;
    private static DynamoEpochLedger epochs;

    private final Map<String, DeviceRecord> directory = new HashMap<>();
    private final ProofVerifier verifier = new ProofVerifier(id -> Optional.ofNullable(directory.get(id)), id -> false,
            VerificationPolicy.defaults(), PlausibilityChecks.defaults());

    @BeforeAll
    static void createTables() {
        dynamo = MOTO.dynamo();
        tables = MOTO.tables();
        ledger = new DynamoProofLedger(dynamo, tables, CLOCK, Duration.ofDays(1));
        epochs = new DynamoEpochLedger(dynamo, tables, ledger);
    }

    /** A registered device with its signing key. */
    private record Device(String id, DeviceSigningKey key, String owner) {
    }

    private Device device(SignatureScheme scheme) {
        String id = "dev-" + UUID.randomUUID().toString().substring(0, 8);
        DeviceSigningKey key = DeviceSigningKey.generate(scheme, RANDOM);
        String owner = "0x" + UUID.randomUUID().toString().replace("-", "") + "00000000";
        directory.put(id, new DeviceRecord(id, scheme, key.publicKey(), owner, DeviceStatus.ACTIVE, null));
        return new Device(id, key, owner);
    }

    private static byte[] proof(Device d, long seq, Instant deviceTime, double temperature) {
        return ProofCodec.encode(d.id(), seq, deviceTime, null, new SensorReading("temperature", temperature, "celsius"), d.key());
    }

    private static InboundProof delivery(String deliveryId, Device d, Instant receivedAt, byte[] payload) {
        return new InboundProof(deliveryId, d.id(), receivedAt, payload);
    }

    /** An instant inside {@code epoch}, offset seconds after its start. */
    private static Instant in(long epoch, long offsetSeconds) {
        return CLOCK.start(epoch).plusSeconds(offsetSeconds);
    }

    private Verdict.Accepted accepted(InboundProof in) {
        Verdict v = verifier.verify(in);
        return assertInstanceOf(Verdict.Accepted.class, v, () -> "expected an honest proof to verify: " + v);
    }

    private static String newDeliveryId() {
        return UUID.randomUUID().toString();
    }

    @Test
    void acceptedProofIsRecordedOnceWithOneCredit() {
        long epoch = 100;
        Device d = device(SignatureScheme.ED25519);
        Instant received = in(epoch, 10);
        InboundProof in = delivery(newDeliveryId(), d, received, proof(d, 1, received.minusMillis(800), 21.5));
        Verdict.Accepted verdict = accepted(in);

        VerdictLedger.Recorded first = ledger.record(in, verdict);
        assertEquals(Outcome.RECORDED, first.outcome());
        assertEquals(epoch, first.epoch());
        assertInstanceOf(Verdict.Accepted.class, first.stored());
        assertEquals(List.of(new WorkCredit(d.id(), d.owner(), 1)), ledger.credits(epoch));

        // SQS redelivery / Lambda retry: the same delivery id again writes nothing.
        VerdictLedger.Recorded again = ledger.record(in, accepted(in));
        assertEquals(Outcome.ALREADY_RECORDED, again.outcome());
        assertEquals(List.of(new WorkCredit(d.id(), d.owner(), 1)), ledger.credits(epoch));

        // A redelivery judged otherwise this time (checks against prior proofs see the proof itself now): the first verdict stands.
        VerdictLedger.Recorded rejudged = ledger.record(in, new Verdict.Rejected(d.id(), SensorReason.STUCK_VALUE, "re-judged",
                verdict.proof().proofId(), 1, Map.of()));
        assertEquals(Outcome.ALREADY_RECORDED, rejudged.outcome());
        assertEquals(List.of(new WorkCredit(d.id(), d.owner(), 1)), ledger.credits(epoch));

        List<DynamoProofLedger.VerdictRecord> trail = ledger.verdictsForDevice(d.id(), 10);
        assertEquals(1, trail.size());
        DynamoProofLedger.VerdictRecord stored = trail.get(0);
        assertEquals(in.deliveryId(), stored.deliveryId());
        assertEquals("accepted", stored.outcome());
        assertNull(stored.reason());
        assertEquals(verdict.proof().proofId(), stored.proofId());
        assertEquals(1, stored.sequence());
        assertEquals(epoch, stored.epoch());
        assertEquals(received.toEpochMilli(), stored.receivedAtMillis());
        assertEquals(-800, Long.parseLong(stored.evidence().get("clockSkewMillis")));
    }

    @Test
    void sameProofInAnotherDeliveryIsStoredAsReplayed() {
        long epoch = 200;
        Device d = device(SignatureScheme.P256_SHA256);
        Instant received = in(epoch, 5);
        byte[] payload = proof(d, 7, received.minusSeconds(1), 18.0);
        InboundProof first = delivery(newDeliveryId(), d, received, payload);
        Verdict.Accepted firstVerdict = accepted(first);
        assertEquals(Outcome.RECORDED, ledger.record(first, firstVerdict).outcome());

        // The very same bytes, published again (or replayed by an attacker) a little later.
        InboundProof replay = delivery(newDeliveryId(), d, received.plusSeconds(3), payload);
        VerdictLedger.Recorded recorded = ledger.record(replay, accepted(replay));
        assertEquals(Outcome.RECORDED, recorded.outcome());
        Verdict.Rejected rejected = assertInstanceOf(Verdict.Rejected.class, recorded.stored());
        assertEquals(ReasonCode.REPLAYED, rejected.reason());
        assertEquals(first.deliveryId(), rejected.evidence().get("firstDeliveryId"));
        assertEquals(firstVerdict.proof().proofId(), rejected.evidence().get("firstProofId"));
        assertEquals(firstVerdict.proof().proofId(), rejected.proofId());
        assertEquals(7, rejected.sequence());

        assertEquals(List.of(new WorkCredit(d.id(), d.owner(), 1)), ledger.credits(epoch), "a replay earns nothing");

        DynamoProofLedger.VerdictRecord stored = verdict(d.id(), replay.deliveryId());
        assertEquals("rejected", stored.outcome());
        assertEquals("replayed", stored.reason());
        assertEquals(first.deliveryId(), stored.evidence().get("firstDeliveryId"));
        assertEquals(firstVerdict.proof().proofId(), stored.evidence().get("firstProofId"));
        assertEquals(firstVerdict.proof().proofId(), stored.proofId());
        assertEquals(7, stored.sequence());

        // Redelivery of the replay: still one verdict for it, still one credit.
        assertEquals(Outcome.ALREADY_RECORDED, ledger.record(replay, accepted(replay)).outcome());
        assertEquals(2, ledger.verdictsForDevice(d.id(), 10).size());
        assertEquals(List.of(new WorkCredit(d.id(), d.owner(), 1)), ledger.credits(epoch));
    }

    @Test
    void differentProofReusingASequenceNumberIsSequenceReused() {
        long epoch = 300;
        Device d = device(SignatureScheme.SECP256K1_KECCAK256);
        Instant received = in(epoch, 20);
        InboundProof first = delivery(newDeliveryId(), d, received, proof(d, 42, received.minusSeconds(2), 10.0));
        Verdict.Accepted firstVerdict = accepted(first);
        assertEquals(Outcome.RECORDED, ledger.record(first, firstVerdict).outcome());

        InboundProof reuse = delivery(newDeliveryId(), d, received.plusSeconds(1), proof(d, 42, received.minusSeconds(1), 11.0));
        Verdict.Accepted reuseVerdict = accepted(reuse);
        assertNotEquals(firstVerdict.proof().proofId(), reuseVerdict.proof().proofId());
        VerdictLedger.Recorded recorded = ledger.record(reuse, reuseVerdict);
        assertEquals(Outcome.RECORDED, recorded.outcome());
        Verdict.Rejected rejected = assertInstanceOf(Verdict.Rejected.class, recorded.stored());
        assertEquals(ReasonCode.SEQUENCE_REUSED, rejected.reason());
        assertEquals(reuseVerdict.proof().proofId(), rejected.proofId());
        assertEquals(first.deliveryId(), rejected.evidence().get("firstDeliveryId"));
        assertEquals(firstVerdict.proof().proofId(), rejected.evidence().get("firstProofId"));

        DynamoProofLedger.VerdictRecord stored = verdict(d.id(), reuse.deliveryId());
        assertEquals("sequence_reused", stored.reason());
        assertTrue(stored.detail().contains("42"), stored.detail());
        assertEquals(List.of(new WorkCredit(d.id(), d.owner(), 1)), ledger.credits(epoch));
    }

    @Test
    void creditLandsInTheNextEpochWhenTheReceiveEpochIsClosing() {
        long epoch = 400;
        Device d = device(SignatureScheme.ED25519);
        assertTrue(epochs.beginClosing(epoch));
        Instant received = in(epoch, 59);
        InboundProof late = delivery(newDeliveryId(), d, received, proof(d, 1, received.minusSeconds(1), 20.0));
        VerdictLedger.Recorded recorded = ledger.record(late, accepted(late));
        assertEquals(Outcome.RECORDED, recorded.outcome());
        assertEquals(epoch + 1, recorded.epoch());
        assertEquals(List.of(), ledger.credits(epoch), "nothing may land in an epoch being closed");
        assertEquals(List.of(new WorkCredit(d.id(), d.owner(), 1)), ledger.credits(epoch + 1));
        assertEquals(epoch + 1, verdict(d.id(), late.deliveryId()).epoch());

        // Two closing epochs in a row: the credit skips both.
        assertTrue(epochs.beginClosing(epoch + 1));
        InboundProof later = delivery(newDeliveryId(), d, received, proof(d, 2, received.minusSeconds(1), 20.0));
        VerdictLedger.Recorded skipped = ledger.record(later, accepted(later));
        assertEquals(epoch + 2, skipped.epoch());
        assertEquals(List.of(new WorkCredit(d.id(), d.owner(), 1)), ledger.credits(epoch + 1));
        assertEquals(List.of(new WorkCredit(d.id(), d.owner(), 1)), ledger.credits(epoch + 2));

        // A redelivery of the first one still finds its verdict and adds nothing.
        assertEquals(Outcome.ALREADY_RECORDED, ledger.record(late, accepted(late)).outcome());
        assertEquals(List.of(new WorkCredit(d.id(), d.owner(), 1)), ledger.credits(epoch + 1));
        assertEquals(List.of(new WorkCredit(d.id(), d.owner(), 1)), ledger.credits(epoch + 2));
    }

    /**
     * A device's first state item is a plain put followed by a consistent read of the epoch's status. Here the ledger
     * believes epoch 450 open (its status cache, filled by another device's proof), the epoch then begins closing, and
     * a new device's first proof is put in it: the status read after the put sees the close, and the ledger fences the
     * item itself, moving the credit to the next epoch, so a closer whose scan missed the item loses nothing and one
     * that reaches it harvests nothing twice.
     */
    @Test
    void firstProofPutAsItsEpochBeganClosingMovesOn() {
        long epoch = 450;
        DynamoProofLedger believesOpen = new DynamoProofLedger(dynamo, tables, CLOCK, Duration.ofDays(1),
                dev.flywheel.core.verify.RateLimit.defaults(), Duration.ofHours(1), false);
        Device early = device(SignatureScheme.ED25519);
        Instant received = in(epoch, 30);
        InboundProof first = delivery(newDeliveryId(), early, received, proof(early, 1, received.minusSeconds(1), 20.0));
        assertEquals(epoch, believesOpen.record(first, accepted(first)).epoch(), "the epoch is open and now cached as open");

        assertTrue(epochs.beginClosing(epoch));
        Device late = device(SignatureScheme.ED25519);
        InboundProof newcomer = delivery(newDeliveryId(), late, received, proof(late, 1, received.minusSeconds(1), 21.0));
        VerdictLedger.Recorded recorded = believesOpen.record(newcomer, accepted(newcomer));
        assertEquals(Outcome.RECORDED, recorded.outcome());
        assertEquals(epoch + 1, recorded.epoch(), "the put landed in a closing epoch and moved on");
        assertEquals(epoch + 1, verdict(late.id(), newcomer.deliveryId()).epoch());

        Map<String, Long> harvested = new HashMap<>();
        believesOpen.epochWork().forEachDevice(epoch, 0, 1, w -> harvested.put(w.deviceId(), w.totalUnits()));
        assertEquals(1L, harvested.get(early.id()), "the device written before the close is harvested");
        assertFalse(harvested.containsKey(late.id()), "the newcomer's credit is no longer in the closing epoch");
        assertEquals(List.of(new WorkCredit(late.id(), late.owner(), 1)), ledger.credits(epoch + 1));

        // Redelivered, it is found where it went; a second proof of the device goes above its fence.
        VerdictLedger.Recorded again = believesOpen.record(newcomer, accepted(newcomer));
        assertEquals(Outcome.ALREADY_RECORDED, again.outcome());
        assertEquals(epoch + 1, again.epoch());
        InboundProof second = delivery(newDeliveryId(), late, received.plusSeconds(5), proof(late, 2, received.plusSeconds(4), 21.5));
        assertEquals(epoch + 1, believesOpen.record(second, accepted(second)).epoch());
        assertEquals(List.of(new WorkCredit(late.id(), late.owner(), 2)), ledger.credits(epoch + 1));
    }

    /** Two batches in flight on one ledger (the devnet's shards share a verifier): neither drops the other's read states. */
    @Test
    void concurrentBatchesKeepEachOthersPreparedStates() {
        long epoch = 510;
        Device a = device(SignatureScheme.ED25519);
        Device b = device(SignatureScheme.ED25519);
        Instant received = in(epoch, 10);
        for (Device d : List.of(a, b)) {
            InboundProof first = delivery(newDeliveryId(), d, received, proof(d, 1, received, 21.0));
            assertEquals(Outcome.RECORDED, ledger.record(first, accepted(first)).outcome());
        }
        InboundProof nextOfA = delivery(newDeliveryId(), a, received.plusSeconds(5), proof(a, 2, received.plusSeconds(5), 21.5));
        InboundProof nextOfB = delivery(newDeliveryId(), b, received.plusSeconds(5), proof(b, 2, received.plusSeconds(5), 21.5));

        var requests = new java.util.concurrent.ConcurrentLinkedQueue<String>();
        try (DynamoDbClient counted = dev.flywheel.testing.MotoDynamo.clientBuilder()
                .overrideConfiguration(c -> c.addExecutionInterceptor(new software.amazon.awssdk.core.interceptor.ExecutionInterceptor() {
                    @Override
                    public void beforeExecution(software.amazon.awssdk.core.interceptor.Context.BeforeExecution context,
                                                software.amazon.awssdk.core.interceptor.ExecutionAttributes attributes) {
                        // The ledger table's requests only (the epoch-status reads go to the epochs table).
                        switch (context.request()) {
                            case software.amazon.awssdk.services.dynamodb.model.GetItemRequest g when g.tableName().equals(tables.ledger()) ->
                                    requests.add("GetItem");
                            case software.amazon.awssdk.services.dynamodb.model.PutItemRequest put when put.tableName().equals(tables.ledger()) ->
                                    requests.add("PutItem");
                            case software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest batch
                                    when batch.requestItems().containsKey(tables.ledger()) -> requests.add("BatchGetItem");
                            default -> {
                            }
                        }
                    }
                })).build()) {
            var shared = new DynamoProofLedger(counted, tables, CLOCK, Duration.ofDays(1));
            shared.prepare(List.of(nextOfA));
            shared.prepare(List.of(nextOfB)); // the second batch begins while the first is being verified
            for (InboundProof next : List.of(nextOfA, nextOfB)) {
                // The verifier's prior-proof check reads the state (DynamoPriorProofs), then the verdict is recorded.
                assertTrue(shared.priorProofs().last(next.topicDeviceId(), "sensor.reading").isPresent());
                assertEquals(Outcome.RECORDED, shared.record(next, accepted(next)).outcome());
            }
            assertEquals(List.of("BatchGetItem", "BatchGetItem", "PutItem", "PutItem"),
                    List.copyOf(requests), "each state read once, by its batch's BatchGetItem");
        }
        assertEquals(List.of(new WorkCredit(a.id(), a.owner(), 2)), ledger.credits(epoch).stream()
                .filter(c -> c.deviceId().equals(a.id())).toList());
    }

    @Test
    void rejectionsAreStoredWithReasonDetailAndEvidence() {
        long epoch = 500;
        Device d = device(SignatureScheme.ED25519);
        Instant received = in(epoch, 30);

        // Stale: signed 20 minutes before it arrived (limit 10).
        InboundProof stale = delivery(newDeliveryId(), d, received, proof(d, 1, received.minus(Duration.ofMinutes(20)), 20.0));
        Verdict.Rejected staleVerdict = assertInstanceOf(Verdict.Rejected.class, verifier.verify(stale));
        assertEquals(ReasonCode.STALE, staleVerdict.reason());
        assertEquals(Outcome.RECORDED, ledger.record(stale, staleVerdict).outcome());

        // Implausible value.
        InboundProof hot = delivery(newDeliveryId(), d, received.plusSeconds(1), proof(d, 2, received, 99.5));
        Verdict.Rejected hotVerdict = assertInstanceOf(Verdict.Rejected.class, verifier.verify(hot));
        assertEquals(SensorReason.VALUE_OUT_OF_RANGE, hotVerdict.reason());
        assertEquals(Outcome.RECORDED, ledger.record(hot, hotVerdict).outcome());

        // Forged: signed by a key that is not the registered one.
        DeviceSigningKey thief = DeviceSigningKey.generate(SignatureScheme.ED25519, RANDOM);
        byte[] forgedPayload = ProofCodec.encode(d.id(), 3, received, null, new SensorReading("temperature", 20.0, "celsius"), thief);
        InboundProof forged = delivery(newDeliveryId(), d, received.plusSeconds(2), forgedPayload);
        Verdict.Rejected forgedVerdict = assertInstanceOf(Verdict.Rejected.class, verifier.verify(forged));
        assertEquals(ReasonCode.BAD_SIGNATURE, forgedVerdict.reason());
        assertEquals(Outcome.RECORDED, ledger.record(forged, forgedVerdict).outcome());

        // Not even JSON: no proof id, no sequence.
        InboundProof garbage = delivery(newDeliveryId(), d, received.plusSeconds(3), "{not json".getBytes(StandardCharsets.UTF_8));
        Verdict.Rejected garbageVerdict = assertInstanceOf(Verdict.Rejected.class, verifier.verify(garbage));
        assertEquals(ReasonCode.MALFORMED_JSON, garbageVerdict.reason());
        assertEquals(Outcome.RECORDED, ledger.record(garbage, garbageVerdict).outcome());
        assertEquals(Outcome.ALREADY_RECORDED, ledger.record(garbage, garbageVerdict).outcome());

        DynamoProofLedger.VerdictRecord s = verdict(d.id(), stale.deliveryId());
        assertEquals("rejected", s.outcome());
        assertEquals(ReasonCode.STALE.wire(), s.reason());
        assertEquals(staleVerdict.detail(), s.detail());
        assertEquals(staleVerdict.proofId(), s.proofId());
        assertEquals(1, s.sequence());
        assertEquals(epoch, s.epoch());
        assertNumber(-Duration.ofMinutes(20).toMillis(), s.evidence().get("clockSkewMillis"));
        assertNumber(Duration.ofMinutes(10).toMillis(), s.evidence().get("limitMillis"));
        assertNumber(received.toEpochMilli(), s.evidence().get("receivedAt"));

        DynamoProofLedger.VerdictRecord h = verdict(d.id(), hot.deliveryId());
        assertEquals("value_out_of_range", h.reason());
        assertEquals(hotVerdict.detail(), h.detail());
        assertNumber(99.5, h.evidence().get("value"));
        assertNumber(-95, h.evidence().get("min"));
        assertNumber(65, h.evidence().get("max"));

        DynamoProofLedger.VerdictRecord f = verdict(d.id(), forged.deliveryId());
        assertEquals("bad_signature", f.reason());
        assertEquals(forgedVerdict.detail(), f.detail());
        assertEquals(3, f.sequence());
        assertEquals(Map.of(), f.evidence());

        DynamoProofLedger.VerdictRecord g = verdict(d.id(), garbage.deliveryId());
        assertEquals("malformed_json", g.reason());
        assertNotNull(g.detail());
        assertNull(g.proofId());
        assertEquals(-1, g.sequence());

        assertEquals(List.of(), ledger.credits(epoch), "rejections earn nothing");
    }

    @Test
    void verdictsForDeviceAreNewestFirst() {
        long epoch = 600;
        Device d = device(SignatureScheme.ED25519);
        List<Instant> times = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            times.add(in(epoch, 5 + 7L * i).plusMillis(i));
        }
        List<Integer> order = new ArrayList<>(List.of(0, 1, 2, 3, 4));
        Collections.shuffle(order, RANDOM);
        Map<Instant, String> deliveryAt = new HashMap<>();
        for (int i : order) {
            Instant t = times.get(i);
            InboundProof in = delivery(newDeliveryId(), d, t, proof(d, i + 1, t.minusMillis(300), 15.0 + i));
            deliveryAt.put(t, in.deliveryId());
            ledger.record(in, verifier.verify(in));
        }
        List<DynamoProofLedger.VerdictRecord> newest = ledger.verdictsForDevice(d.id(), 10);
        assertEquals(List.of(times.get(4), times.get(3), times.get(2), times.get(1), times.get(0)).stream()
                        .map(deliveryAt::get).toList(),
                newest.stream().map(DynamoProofLedger.VerdictRecord::deliveryId).toList());
        assertEquals(List.of(deliveryAt.get(times.get(4)), deliveryAt.get(times.get(3))),
                ledger.verdictsForDevice(d.id(), 2).stream().map(DynamoProofLedger.VerdictRecord::deliveryId).toList());
        assertEquals(List.of(), ledger.verdictsForDevice("no-such-device", 10));
    }

    @Test
    void countVerdictsTotalsAcceptedAndRejectedByReason() {
        long epoch = 700;
        DynamoProofLedger.VerdictCounts before = ledger.countVerdicts();
        Device d = device(SignatureScheme.ED25519);
        Instant received = in(epoch, 1);
        byte[] payload = proof(d, 1, received, 20.0);
        InboundProof ok = delivery(newDeliveryId(), d, received, payload);
        ledger.record(ok, verifier.verify(ok));
        InboundProof ok2 = delivery(newDeliveryId(), d, received, proof(d, 2, received, 20.0));
        ledger.record(ok2, verifier.verify(ok2));
        InboundProof replay = delivery(newDeliveryId(), d, received, payload);
        ledger.record(replay, verifier.verify(replay));
        for (int i = 0; i < 3; i++) {
            InboundProof hot = delivery(newDeliveryId(), d, received, proof(d, 10 + i, received, 80.0));
            ledger.record(hot, verifier.verify(hot));
        }
        ledger.record(ok, verifier.verify(ok)); // redelivery: not counted twice

        DynamoProofLedger.VerdictCounts after = ledger.countVerdicts();
        assertEquals(before.accepted() + 2, after.accepted());
        assertEquals(before.rejected() + 4, after.rejected());
        assertEquals(before.rejectedByReason().getOrDefault("replayed", 0L) + 1, after.rejectedByReason().get("replayed"));
        assertEquals(before.rejectedByReason().getOrDefault("value_out_of_range", 0L) + 3,
                after.rejectedByReason().get("value_out_of_range"));
    }

    // No concurrency test here: moto_server (5.2.1) is threaded and does not make a conditional write atomic against a
    // concurrent one, so racing deliveries on moto test moto, not the ledger.

    /**
     * The coverage, bandwidth-session, entropy and onboarding adapters tell one failed condition from another by the per-item
     * CancellationReasons of TransactionCanceledException; this pins that moto returns them, one per
     * action, in request order, with code ConditionalCheckFailed for the failed ones and None otherwise.
     */
    @Test
    void motoReturnsCancellationReasonsPerTransactionItem() {
        String pk = "T#" + UUID.randomUUID();
        dynamo.putItem(p -> p.tableName(tables.ledger()).item(DynamoProofLedger.key(pk, "EXISTS")));
        List<TransactWriteItem> writes = List.of(
                TransactWriteItem.builder().put(p -> p.tableName(tables.ledger()).item(DynamoProofLedger.key(pk, "NEW-1"))
                        .conditionExpression("attribute_not_exists(pk)")).build(),
                TransactWriteItem.builder().put(p -> p.tableName(tables.ledger()).item(DynamoProofLedger.key(pk, "EXISTS"))
                        .conditionExpression("attribute_not_exists(pk)")).build(),
                TransactWriteItem.builder().put(p -> p.tableName(tables.ledger()).item(DynamoProofLedger.key(pk, "NEW-2"))).build(),
                TransactWriteItem.builder().conditionCheck(c -> c.tableName(tables.epochs())
                        .key(Map.of("epoch", AttributeValue.fromN("123456789")))
                        .conditionExpression("attribute_exists(epoch)")).build());
        TransactionCanceledException e = assertThrows(TransactionCanceledException.class,
                () -> dynamo.transactWriteItems(t -> t.transactItems(writes)));
        assertTrue(e.hasCancellationReasons(), "moto sent no CancellationReasons: " + e.getMessage());
        assertEquals(List.of("None", "ConditionalCheckFailed", "None", "ConditionalCheckFailed"),
                e.cancellationReasons().stream().map(CancellationReason::code).toList());
        // And the transaction was all-or-nothing: NEW-1 and NEW-2 were not written.
        assertEquals(1, dynamo.query(q -> q.tableName(tables.ledger()).keyConditionExpression("pk = :pk")
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(pk)))).count());
    }

    private static DynamoProofLedger.VerdictRecord verdict(String deviceId, String deliveryId) {
        List<DynamoProofLedger.VerdictRecord> matches = ledger.verdictsForDevice(deviceId, 100).stream()
                .filter(v -> v.deliveryId().equals(deliveryId)).toList();
        assertEquals(1, matches.size(), "verdicts of delivery " + deliveryId + ": " + matches);
        return matches.get(0);
    }

    private static void assertNumber(double expected, String actual) {
        assertNotNull(actual);
        assertEquals(0, new BigDecimal(actual).compareTo(BigDecimal.valueOf(expected)), "expected " + expected + ", got " + actual);
    }
}
