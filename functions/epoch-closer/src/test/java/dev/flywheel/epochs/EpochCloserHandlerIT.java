package dev.flywheel.epochs;

import dev.flywheel.core.crypto.DeviceSigningKey;
import dev.flywheel.core.crypto.Encoding;
import dev.flywheel.core.crypto.SignatureScheme;
import dev.flywheel.core.epoch.EpochClock;
import dev.flywheel.core.epoch.EpochLedger;
import dev.flywheel.core.epoch.EpochManifest;
import dev.flywheel.core.merkle.CumulativeMerkleTree;
import dev.flywheel.core.merkle.LeafDomain;
import dev.flywheel.core.merkle.RewardLeaf;
import dev.flywheel.core.proof.ProofCodec;
import dev.flywheel.core.types.sensor.SensorReading;
import dev.flywheel.core.proof.DeviceRecord;
import dev.flywheel.core.proof.DeviceStatus;
import dev.flywheel.core.verify.InboundProof;
import dev.flywheel.core.proof.PlausibilityChecks;
import dev.flywheel.core.verify.ProofVerifier;
import dev.flywheel.core.verify.Verdict;
import dev.flywheel.core.verify.VerdictLedger;
import dev.flywheel.core.verify.VerificationPolicy;
import dev.flywheel.dynamodb.DynamoEpochLedger;
import dev.flywheel.dynamodb.DynamoHexSummaries;
import dev.flywheel.dynamodb.DynamoProofLedger;
import dev.flywheel.dynamodb.TableNames;
import dev.flywheel.testing.MotoDynamo;
import io.micronaut.context.ApplicationContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * EpochCloserHandler as the local function host builds it, against a real moto_server, with a short
 * epoch whose genesis lies a few epochs in the past, so real wall-clock time has made them due.
 */
class EpochCloserHandlerIT {
    private static final long EPOCH_SECONDS = 5;
    private static final BigInteger EMISSION = new BigInteger("1000000000000000000000");
    private static final LeafDomain DOMAIN = new LeafDomain(80002, "0x5fbdb2315678afecb367f032d93f642f64180aa3");
    private static final String OWNER_A = "0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private static final String OWNER_B = "0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    private static final SecureRandom RANDOM = new SecureRandom();

    private static DynamoDbClient dynamo;
    private final List<TableNames> created = new ArrayList<>();
    private final List<AutoCloseable> handlers = new ArrayList<>();

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

    @AfterEach
    void cleanUp() throws Exception {
        for (AutoCloseable h : handlers) {
            h.close();
        }
        created.forEach(t -> MotoDynamo.deleteTables(dynamo, t));
    }

    private TableNames tables() {
        TableNames t = MotoDynamo.createTables(dynamo);
        created.add(t);
        return t;
    }

    private EpochCloserHandler handler(TableNames t, Instant genesis, String lateDataSeconds) {
        Map<String, Object> properties = new HashMap<>(Map.of(
                "flywheel.devices.table", t.devices(),
                "flywheel.ledger.table", t.ledger(),
                "flywheel.epochs.table", t.epochs(),
                "flywheel.rewards.table", t.rewards(),
                "flywheel.settlements.table", t.settlements(),
                "flywheel.epoch.genesis", genesis.toString(),
                "flywheel.epoch.seconds", Long.toString(EPOCH_SECONDS),
                "flywheel.network.config", java.nio.file.Path.of("src/test/resources/network-uniform.json").toAbsolutePath().toString(),
                "flywheel.chain.id", Long.toString(DOMAIN.chainId()),
                "flywheel.distributor.address", DOMAIN.distributor()));
        if (lateDataSeconds != null) {
            properties.put("flywheel.late-data.seconds", lateDataSeconds);
        }
        EpochCloserHandler handler = new EpochCloserHandler(ApplicationContext.builder().properties(properties));
        handlers.add(handler);
        return handler;
    }

    /** Records honest proofs of {@code device} received in {@code epoch}, as the verifier would. */
    private static void credit(DynamoProofLedger ledger, EpochClock clock, String device, String owner, long epoch, int count) {
        DeviceSigningKey key = DeviceSigningKey.generate(SignatureScheme.ED25519, RANDOM);
        DeviceRecord record = new DeviceRecord(device, SignatureScheme.ED25519, key.publicKey(), owner, DeviceStatus.ACTIVE, null);
        ProofVerifier verifier = new ProofVerifier(id -> Optional.of(record).filter(r -> r.deviceId().equals(id)), id -> false,
                VerificationPolicy.defaults(), PlausibilityChecks.defaults());
        for (int seq = 1; seq <= count; seq++) {
            Instant received = clock.start(epoch).plusMillis(500L * seq);
            byte[] payload = ProofCodec.encode(device, seq, received.minusMillis(100), null,
                    new SensorReading("pm25", 12.0, "ugm3"), key);
            InboundProof in = new InboundProof(device + "-" + epoch + "-" + seq, device, received, payload);
            Verdict v = verifier.verify(in);
            assertInstanceOf(Verdict.Accepted.class, v, () -> "honest proof rejected: " + v);
            assertEquals(VerdictLedger.Outcome.RECORDED, ledger.record(in, v).outcome());
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> closed(Map<String, Object> result) {
        return (List<Map<String, Object>>) result.get("closed");
    }

    private static long epochOf(Map<String, Object> summary) {
        return ((Number) summary.get("epoch")).longValue();
    }

    @Test
    void closesThePastEpochsAndNeverTheCurrentOne() {
        TableNames t = tables();
        Instant genesis = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(4 * EPOCH_SECONDS);
        EpochClock clock = new EpochClock(genesis, Duration.ofSeconds(EPOCH_SECONDS));
        DynamoProofLedger proofs = new DynamoProofLedger(dynamo, t, clock, Duration.ofDays(1));
        DynamoEpochLedger epochs = new DynamoEpochLedger(dynamo, t, proofs);
        credit(proofs, clock, "closer-a", OWNER_A, 0, 2);
        credit(proofs, clock, "closer-b", OWNER_B, 0, 1);
        credit(proofs, clock, "closer-b2", OWNER_B, 1, 3);

        EpochCloserHandler handler = handler(t, genesis, "0");
        Map<String, Object> result = handler.handleRequest(Map.of("source", "aws.scheduler"), null);
        long currentEpoch = clock.epochOf(Instant.now());

        List<Map<String, Object>> closed = closed(result);
        List<Long> numbers = closed.stream().map(EpochCloserHandlerIT::epochOf).toList();
        assertTrue(numbers.size() >= 4, "epochs 0..3 ended before the run: " + result);
        for (int i = 0; i < numbers.size(); i++) {
            assertEquals(i, numbers.get(i), "closed in order from genesis: " + numbers);
        }
        assertTrue(numbers.get(numbers.size() - 1) < currentEpoch, "the running epoch " + currentEpoch + " must stay open");
        assertEquals(new EpochLedger.Cursor(numbers.get(numbers.size() - 1), -1), epochs.cursor(-1));

        Map<String, Object> e0 = closed.get(0);
        assertEquals(3L, ((Number) e0.get("totalUnits")).longValue());
        assertEquals(2, ((Number) e0.get("rewardedDevices")).intValue());
        assertEquals(EMISSION, new BigInteger((String) e0.get("allocated")).add(new BigInteger((String) e0.get("unallocated"))));
        Map<String, Object> e1 = closed.get(1);
        assertEquals(3L, ((Number) e1.get("totalUnits")).longValue());
        assertEquals(EMISSION, new BigInteger((String) e1.get("allocated")), "one device, everything allocated");
        Map<String, Object> e2 = closed.get(2);
        assertEquals(0L, ((Number) e2.get("totalUnits")).longValue());
        assertEquals(e1.get("root"), e2.get("root"), "an empty epoch keeps the cumulative root");

        // What the handler wrote is what the ledger serves: manifests and verifying proofs.
        EpochManifest m1 = epochs.manifest(1).orElseThrow();
        assertEquals(e1.get("root"), m1.rootHex());
        BigInteger aliceTotal = EMISSION.multiply(BigInteger.TWO).divide(BigInteger.valueOf(3));
        BigInteger bobTotal = EMISSION.divide(BigInteger.valueOf(3)).add(EMISSION);
        assertEquals(Map.of(OWNER_A, aliceTotal, OWNER_B, bobTotal), epochs.balances(1));
        for (String owner : List.of(OWNER_A, OWNER_B)) {
            DynamoEpochLedger.OwnerBalance b = epochs.ownerBalance(1, owner).orElseThrow();
            assertTrue(CumulativeMerkleTree.verify(DOMAIN, Encoding.fromHex(m1.rootHex()), new RewardLeaf(owner, b.cumulative()),
                    b.proof().stream().map(Encoding::fromHex).toList()), owner);
        }

        // After closing, the explorer's hex summary of each closed epoch, newest first. These devices are not in the
        // registry (no cell): counted as active, not located, so the map has no hex for them.
        assertEquals(numbers.reversed(), result.get("hexSummaries"), result.toString());
        var summaries = new DynamoHexSummaries(dynamo, t);
        assertEquals(2, summaries.head(0).orElseThrow().activeDevices());
        assertEquals(0, summaries.head(0).orElseThrow().locatedDevices());
        assertEquals(1, summaries.head(1).orElseThrow().activeDevices());
        assertEquals(List.of(), summaries.hexes(0, 8));

        // The next scheduled run only closes what has become due since; nothing is closed twice, nor summarised twice.
        long lastClosed = numbers.get(numbers.size() - 1);
        Map<String, Object> again = handler.handleRequest(Map.of(), null);
        for (Map<String, Object> s : closed(again)) {
            assertTrue(epochOf(s) > lastClosed, "re-closed epoch " + epochOf(s));
        }
        assertEquals(closed(again).stream().map(EpochCloserHandlerIT::epochOf).toList().reversed(), again.get("hexSummaries"));
        assertEquals(m1, epochs.manifest(1).orElseThrow());
    }

    @Test
    void theDefaultLateDataGateKeepsRecentEpochsOpen() {
        TableNames t = tables();
        Instant genesis = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(4 * EPOCH_SECONDS);
        EpochCloserHandler handler = handler(t, genesis, null); // flywheel.late-data.seconds defaults to an hour
        assertEquals(List.of(), closed(handler.handleRequest(Map.of(), null)));
        EpochClock clock = new EpochClock(genesis, Duration.ofSeconds(EPOCH_SECONDS));
        DynamoEpochLedger epochs = new DynamoEpochLedger(dynamo, t, new DynamoProofLedger(dynamo, t, clock, Duration.ofDays(1)));
        assertEquals(new EpochLedger.Cursor(-1, -1), epochs.cursor(-1));
        assertNotNull(handler.getApplicationContext().getBean(DynamoEpochLedger.class));
    }
}
