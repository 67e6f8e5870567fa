package dev.flywheel.dynamodb;

import dev.flywheel.core.crypto.DeviceSigningKey;
import dev.flywheel.core.crypto.Encoding;
import dev.flywheel.core.crypto.SignatureScheme;
import dev.flywheel.core.epoch.DeviceLocations;
import dev.flywheel.core.network.NetworkConfig;
import dev.flywheel.core.reward.WorkCredit;
import dev.flywheel.core.epoch.EpochClock;
import dev.flywheel.core.epoch.EpochCloser;
import dev.flywheel.core.epoch.EpochLedger;
import dev.flywheel.core.epoch.EpochManifest;
import dev.flywheel.core.epoch.EpochSettler;
import dev.flywheel.core.epoch.RootPublication;
import dev.flywheel.core.merkle.CumulativeMerkleTree;
import dev.flywheel.core.merkle.LeafDomain;
import dev.flywheel.core.merkle.RewardLeaf;
import dev.flywheel.core.proof.ProofCodec;
import dev.flywheel.core.types.sensor.SensorReading;
import dev.flywheel.core.reward.DeviceReward;
import dev.flywheel.core.reward.EpochRewardSplit;
import dev.flywheel.core.reward.EpochRewards;
import dev.flywheel.core.reward.OwnerBalances;
import dev.flywheel.core.proof.DeviceRecord;
import dev.flywheel.core.proof.DeviceStatus;
import dev.flywheel.core.verify.InboundProof;
import dev.flywheel.core.proof.PlausibilityChecks;
import dev.flywheel.core.verify.ProofVerifier;
import dev.flywheel.core.verify.Verdict;
import dev.flywheel.core.verify.VerdictLedger;
import dev.flywheel.core.verify.VerificationPolicy;
import dev.flywheel.testing.MotoDynamo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DynamoEpochLedger driven by the core EpochCloser and EpochSettler on a real moto_server. The cursor
 * is one item per epochs table, so every test gets fresh tables. The chain is a recording lambda
 * (the chain adapter is tested against Anvil elsewhere).
 */
class DynamoEpochLedgerIT {
    private static final Instant GENESIS = Instant.parse("2026-01-01T00:00:00Z");
    private static final EpochClock CLOCK = new EpochClock(GENESIS, Duration.ofSeconds(60));
    private static final Duration LATE_DATA = Duration.ofSeconds(30);
    /** 1,000,000 tokens of 18 decimals, plus 7 base units: never divides evenly, so there is always a remainder. */
    private static final BigInteger EMISSION = BigInteger.TEN.pow(24).add(BigInteger.valueOf(7));
    private static final LeafDomain DOMAIN = new LeafDomain(80002, "0x5fbdb2315678afecb367f032d93f642f64180aa3");
    private static final SecureRandom RANDOM = new SecureRandom();

    private static final String ALICE = "0x1111111111111111111111111111111111111111";
    private static final String BOB = "0x2222222222222222222222222222222222222222";
    private static final String CAROL = "0x3333333333333333333333333333333333333333";

    private static DynamoDbClient dynamo;

    private final List<TableNames> created = new ArrayList<>();
    private final Map<String, DeviceRecord> directory = new HashMap<>();
    private final Map<String, DeviceSigningKey> keys = new HashMap<>();
    private final Map<String, Long> nextSeq = new HashMap<>();
    private final ProofVerifier verifier = new ProofVerifier(id -> Optional.ofNullable(directory.get(id)), id -> false,
            VerificationPolicy.defaults(), PlausibilityChecks.defaults());

    /** One stack's ledgers. */
    private record Ledgers(TableNames tables, DynamoProofLedger proofs, DynamoEpochLedger epochs) {
    }

    /** A RootPublication that records what it was asked to publish. */
    private static final class RecordingChain implements RootPublication {
        record Call(long epoch, String rootHex, BigInteger totalCumulative) {
        }

        final List<Call> calls = new ArrayList<>();

        @Override
        public Result publish(long epoch, String rootHex, BigInteger totalCumulative, String manifestHash) {
            calls.add(new Call(epoch, rootHex, totalCumulative));
            return new Published(String.format("0x%064x", 0xabc000 + epoch));
        }
    }

    @BeforeAll
    static void connect() {
        dynamo = MotoDynamo.client();
    }

    @AfterAll
    static void disconnect() {
        if (dynamo != null) {
            dynamo.close();
        }
    }

    @BeforeEach
    void devices() {
        register("alice-1", ALICE, SignatureScheme.ED25519);
        register("alice-2", ALICE, SignatureScheme.P256_SHA256);
        register("bob-1", BOB, SignatureScheme.SECP256K1_KECCAK256);
        register("carol-1", CAROL, SignatureScheme.ED25519);
    }

    @AfterEach
    void dropTables() {
        created.forEach(t -> MotoDynamo.deleteTables(dynamo, t));
    }

    private Ledgers freshStack() {
        TableNames tables = MotoDynamo.createTables(dynamo);
        created.add(tables);
        DynamoProofLedger proofs = new DynamoProofLedger(dynamo, tables, CLOCK, Duration.ofDays(1));
        return new Ledgers(tables, proofs, new DynamoEpochLedger(dynamo, tables, proofs));
    }

    private void register(String id, String owner, SignatureScheme scheme) {
        DeviceSigningKey key = DeviceSigningKey.generate(scheme, RANDOM);
        keys.put(id, key);
        directory.put(id, new DeviceRecord(id, scheme, key.publicKey(), owner, DeviceStatus.ACTIVE, null));
    }

    /** Records {@code count} honest proofs of {@code deviceId} received in {@code epoch}; delivery ids are deterministic. */
    private void work(Ledgers l, String deviceId, long epoch, int count) {
        for (int i = 0; i < count; i++) {
            long seq = nextSeq.merge(deviceId + "@" + l.tables().ledger(), 1L, Long::sum);
            Instant received = CLOCK.start(epoch).plusSeconds(1 + i);
            byte[] payload = ProofCodec.encode(deviceId, seq, received.minusMillis(250), null,
                    new SensorReading("humidity", 40 + i, "percent"), keys.get(deviceId));
            InboundProof in = new InboundProof(deviceId + "-" + seq, deviceId, received, payload);
            Verdict verdict = verifier.verify(in);
            assertInstanceOf(Verdict.Accepted.class, verdict, () -> "honest proof rejected: " + verdict);
            VerdictLedger.Recorded recorded = l.proofs().record(in, verdict);
            assertEquals(VerdictLedger.Outcome.RECORDED, recorded.outcome());
            assertEquals(epoch, recorded.epoch());
        }
    }

    /** The wall clock a closer sees: just past {@code epoch}'s late-data gate. */
    private static Clock after(long epoch) {
        return Clock.fixed(CLOCK.end(epoch).plus(LATE_DATA).plusMillis(1), ZoneOffset.UTC);
    }

    private static EpochCloser closer(Ledgers l, Clock wallClock) {
        return new EpochCloser(l.epochs(), new DynamoEpochWork(dynamo, l.tables()),
                DeviceLocations.of(Map.of()), NetworkConfig.uniform(CLOCK, EMISSION, LATE_DATA), wallClock, 2, DOMAIN);
    }

    /** Work: epoch 0 alice 3+1, bob 2; epoch 1 bob 1, carol 2 (alice absent); epoch 2 nothing. */
    private void standardWork(Ledgers l) {
        work(l, "alice-1", 0, 3);
        work(l, "alice-2", 0, 1);
        work(l, "bob-1", 0, 2);
        work(l, "bob-1", 1, 1);
        work(l, "carol-1", 1, 2);
    }

    private static BigInteger share(long units, long total) {
        return EMISSION.multiply(BigInteger.valueOf(units)).divide(BigInteger.valueOf(total));
    }

    @Test
    void closesEpochsInOrderWithExactSplitsCumulativeTotalsAndVerifyingProofs() {
        Ledgers l = freshStack();
        standardWork(l);
        EpochLedger.Cursor start = l.epochs().cursor(-1);
        assertEquals(new EpochLedger.Cursor(-1, -1), start);

        // Not yet due: the late-data gate of epoch 0 has not passed.
        Clock tooEarly = Clock.fixed(CLOCK.end(0).plus(LATE_DATA).minusMillis(1), ZoneOffset.UTC);
        assertEquals(List.of(), closer(l, tooEarly).closeDue(10));

        List<EpochManifest> closed = closer(l, after(2)).closeDue(10);
        assertEquals(List.of(0L, 1L, 2L), closed.stream().map(EpochManifest::epoch).toList());
        assertEquals(new EpochLedger.Cursor(2, -1), l.epochs().cursor(-1));

        // Expected numbers, computed independently of the closer.
        Map<Long, Map<String, BigInteger>> expectedDevice = new LinkedHashMap<>();
        expectedDevice.put(0L, Map.of("alice-1", share(3, 6), "alice-2", share(1, 6), "bob-1", share(2, 6)));
        expectedDevice.put(1L, Map.of("bob-1", share(1, 3), "carol-1", share(2, 3)));
        expectedDevice.put(2L, Map.of());
        Map<String, BigInteger> cumulative = new TreeMap<>();
        for (EpochManifest m : closed) {
            Map<String, BigInteger> perDevice = expectedDevice.get(m.epoch());
            List<DeviceReward> stored = l.epochs().deviceRewards(m.epoch());
            assertEquals(perDevice, stored.stream().collect(java.util.stream.Collectors.toMap(DeviceReward::deviceId, DeviceReward::amount)),
                    "device shares of epoch " + m.epoch());
            for (DeviceReward r : stored) {
                assertEquals(directory.get(r.deviceId()).owner(), r.owner());
                cumulative.merge(r.owner(), r.amount(), BigInteger::add);
            }
            BigInteger allocated = stored.stream().map(DeviceReward::amount).reduce(BigInteger.ZERO, BigInteger::add);
            assertEquals(EMISSION, m.emission());
            assertEquals(allocated, m.allocated());
            assertEquals(EMISSION, allocated.add(m.unallocated()), "sum + unallocated == emission, epoch " + m.epoch());
            assertEquals(perDevice.size(), m.rewardedDevices());

            // Lifetime totals: owners absent from this epoch keep what they had.
            assertEquals(cumulative, l.epochs().balances(m.epoch()), "balances after epoch " + m.epoch());
            assertEquals(cumulative.size(), m.owners());
            assertEquals(cumulative.values().stream().reduce(BigInteger.ZERO, BigInteger::add), m.totalCumulative());
            assertEquals(m, l.epochs().manifest(m.epoch()).orElseThrow(), "manifest round trip");

            byte[] root = Encoding.fromHex(m.rootHex());
            assertEquals(CumulativeMerkleTree.of(DOMAIN, cumulative.entrySet().stream()
                    .map(e -> new RewardLeaf(e.getKey(), e.getValue())).toList()).rootHex(), m.rootHex());
            for (Map.Entry<String, BigInteger> owner : cumulative.entrySet()) {
                DynamoEpochLedger.OwnerBalance b = l.epochs().ownerBalance(m.epoch(), owner.getKey()).orElseThrow();
                assertEquals(owner.getValue(), b.cumulative());
                assertEquals(m.rootHex(), b.rootHex());
                List<byte[]> proof = b.proof().stream().map(Encoding::fromHex).toList();
                assertTrue(CumulativeMerkleTree.verify(DOMAIN, root, new RewardLeaf(owner.getKey(), b.cumulative()), proof),
                        "proof of " + owner.getKey() + " under epoch " + m.epoch());
                assertFalse(CumulativeMerkleTree.verify(DOMAIN, root, new RewardLeaf(owner.getKey(), b.cumulative().add(BigInteger.ONE)), proof),
                        "a proof must not verify a larger amount");
            }
        }
        assertEquals(6, closed.get(0).totalUnits());
        assertEquals(3, closed.get(1).totalUnits());
        assertEquals(0, closed.get(2).totalUnits());
        // Alice earned nothing in epoch 1 and still holds her epoch-0 total under roots 1 and 2.
        assertEquals(share(3, 6).add(share(1, 6)), l.epochs().ownerBalance(1, ALICE).orElseThrow().cumulative());
        assertEquals(share(3, 6).add(share(1, 6)), l.epochs().ownerBalance(2, ALICE).orElseThrow().cumulative());
        assertEquals(share(2, 6).add(share(1, 3)), l.epochs().ownerBalance(2, BOB).orElseThrow().cumulative());
        assertEquals(Optional.empty(), l.epochs().ownerBalance(0, CAROL), "carol had nothing under root 0");
        // An empty epoch splits nothing: everything is unallocated and the root is unchanged.
        assertEquals(EMISSION, closed.get(2).unallocated());
        assertEquals(closed.get(1).rootHex(), closed.get(2).rootHex());
        assertNotEquals(closed.get(0).rootHex(), closed.get(1).rootHex());

        // Amounts survive DynamoDB's number type exactly (25 significant digits here).
        assertEquals(EMISSION.toString().length(), l.epochs().manifest(0).orElseThrow().emission().toString().length());

        // Re-running is a no-op.
        assertEquals(List.of(), closer(l, after(2)).closeDue(10));
        for (EpochManifest m : closed) {
            assertEquals(m, l.epochs().manifest(m.epoch()).orElseThrow());
        }
        assertFalse(l.epochs().beginClosing(1), "a closed epoch cannot be reopened for closing");
    }

    @Test
    void theCanonicalManifestIsStoredInChunksAndHashesToTheManifestHash() {
        Ledgers l = freshStack();
        standardWork(l);
        List<EpochManifest> closed = closer(l, after(1)).closeDue(10);
        for (EpochManifest m : closed) {
            byte[] doc = l.epochs().manifestDocument(m.epoch()).orElseThrow();
            assertEquals(m.manifestHash(), Encoding.hex0x(Encoding.sha256(doc)));
            assertEquals(Optional.of("uniform"), l.epochs().configVersion(m.epoch()));
        }
        // Incompressible 1 MB: several chunks below the item size limit, read back byte for byte.
        byte[] big = new byte[1 << 20];
        RANDOM.nextBytes(big);
        l.epochs().writeManifest(77, "v9", big);
        l.epochs().writeManifest(77, "v9", big);
        assertTrue(java.util.Arrays.equals(big, l.epochs().manifestDocument(77).orElseThrow()));
        assertEquals(Optional.empty(), l.epochs().manifestDocument(78));
    }

    @Test
    void closeDueRespectsItsLimitAndContinuesNextRun() {
        Ledgers l = freshStack();
        standardWork(l);
        assertEquals(List.of(0L), closer(l, after(2)).closeDue(1).stream().map(EpochManifest::epoch).toList());
        assertEquals(0, l.epochs().cursor(-1).lastClosed());
        assertEquals(List.of(1L, 2L), closer(l, after(2)).closeDue(10).stream().map(EpochManifest::epoch).toList());
    }

    @Test
    void closeResumedAfterACrashGivesTheIdenticalManifest() {
        Clock wall = after(1);
        Ledgers clean = freshStack();
        standardWork(clean);
        List<EpochManifest> expected = closer(clean, wall).closeDue(10);
        assertEquals(2, expected.size());

        // Same work on another stack; the first closer run dies after beginClosing (and writing part of
        // the rewards) for epoch 0, before markClosed.
        Ledgers crashed = freshStack();
        standardWork(crashed);
        assertTrue(crashed.epochs().beginClosing(0));
        EpochRewards partial = EpochRewardSplit.split(0, EMISSION, List.of(new WorkCredit("alice-1", ALICE, 3)));
        crashed.epochs().writeRewards(partial, OwnerBalances.accumulate(Map.of(), partial),
                CumulativeMerkleTree.of(DOMAIN, OwnerBalances.accumulate(Map.of(), partial).entrySet().stream()
                        .map(e -> new RewardLeaf(e.getKey(), e.getValue())).toList()));
        assertEquals(new EpochLedger.Cursor(-1, -1), crashed.epochs().cursor(-1));
        assertEquals(Optional.empty(), crashed.epochs().manifest(0), "no manifest before markClosed");
        assertTrue(crashed.epochs().beginClosing(0), "beginClosing is idempotent while CLOSING");

        List<EpochManifest> resumed = closer(crashed, wall).closeDue(10);
        assertEquals(expected, resumed);
        for (long epoch = 0; epoch <= 1; epoch++) {
            assertEquals(clean.epochs().manifest(epoch), crashed.epochs().manifest(epoch));
            assertEquals(clean.epochs().balances(epoch), crashed.epochs().balances(epoch));
            assertEquals(clean.epochs().deviceRewards(epoch), crashed.epochs().deviceRewards(epoch));
            for (String owner : List.of(ALICE, BOB, CAROL)) {
                assertEquals(clean.epochs().ownerBalance(epoch, owner), crashed.epochs().ownerBalance(epoch, owner));
            }
        }
    }

    @Test
    void settleLatestPublishesOnlyTheNewestClosedEpochOnce() {
        Ledgers l = freshStack();
        standardWork(l);
        RecordingChain chain = new RecordingChain();
        EpochSettler settler = new EpochSettler(l.epochs(), chain, CLOCK, new DynamoSettlementAlarms(dynamo, l.tables().settlements()));

        assertEquals(Optional.empty(), settler.settleLatest(), "nothing closed, nothing to settle");
        assertEquals(List.of(), chain.calls);

        List<EpochManifest> closed = closer(l, after(1)).closeDue(10);
        EpochManifest newest = closed.get(1);
        EpochSettler.Settlement s = settler.settleLatest().orElseThrow();
        assertEquals(1, s.epoch());
        assertEquals(newest.rootHex(), s.rootHex());
        assertEquals(List.of(new RecordingChain.Call(1, newest.rootHex(), newest.totalCumulative())), chain.calls,
                "epoch 0 is covered by epoch 1's cumulative root and is never published on its own");
        assertEquals(new EpochLedger.Cursor(1, 1), l.epochs().cursor(-1));
        assertEquals(Optional.of(s.txHash()), l.epochs().rootTransaction(1));
        assertEquals(Optional.empty(), l.epochs().rootTransaction(0));

        assertEquals(Optional.empty(), settler.settleLatest(), "second run does nothing");
        assertEquals(1, chain.calls.size());

        // The next epoch closes (empty, same root) and is settled on its own, once.
        closer(l, after(2)).closeDue(10);
        EpochSettler.Settlement next = settler.settleLatest().orElseThrow();
        assertEquals(2, next.epoch());
        assertEquals(2, chain.calls.size());
        assertEquals(2, chain.calls.get(1).epoch());
        assertEquals(Optional.empty(), settler.settleLatest());
        assertEquals(new EpochLedger.Cursor(2, 2), l.epochs().cursor(-1));
        // Closing after settling keeps lastSettled.
        assertEquals(2, l.epochs().cursor(-1).lastSettled());
    }

    @Test
    void anEpochWithoutAnyOwnerHasNoRootAndSettlesWithoutTheChain() {
        Ledgers l = freshStack();
        RecordingChain chain = new RecordingChain();
        List<EpochManifest> closed = closer(l, after(0)).closeDue(10);
        assertEquals(1, closed.size());
        EpochManifest m = closed.get(0);
        assertNull(m.rootHex());
        assertEquals(0, m.owners());
        assertEquals(EMISSION, m.unallocated());
        assertEquals(BigInteger.ZERO, m.totalCumulative());
        assertEquals(m, l.epochs().manifest(0).orElseThrow());

        EpochSettler.Settlement s = new EpochSettler(l.epochs(), chain, CLOCK, new DynamoSettlementAlarms(dynamo, l.tables().settlements())).settleLatest().orElseThrow();
        assertEquals(new EpochSettler.Settlement(0, null, null, null, false), s);
        assertEquals(List.of(), chain.calls);
        assertEquals(new EpochLedger.Cursor(0, 0), l.epochs().cursor(-1));
        assertEquals(Optional.empty(), l.epochs().rootTransaction(0));
        assertNotNull(l.epochs().manifest(0).orElseThrow().closedAt());
    }
}
