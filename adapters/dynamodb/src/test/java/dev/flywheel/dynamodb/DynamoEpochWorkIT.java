package dev.flywheel.dynamodb;

import dev.flywheel.testing.MotoTables;
import org.junit.jupiter.api.extension.RegisterExtension;
import dev.flywheel.core.crypto.DeviceSigningKey;
import dev.flywheel.core.crypto.SignatureScheme;
import dev.flywheel.core.epoch.DeviceWork;
import dev.flywheel.core.epoch.EpochClock;
import dev.flywheel.core.proof.ProofCodec;
import dev.flywheel.core.types.sensor.SensorReading;
import dev.flywheel.core.reward.WorkCredit;
import dev.flywheel.core.proof.DeviceRecord;
import dev.flywheel.core.proof.DeviceStatus;
import dev.flywheel.core.verify.InboundProof;
import dev.flywheel.core.proof.PlausibilityChecks;
import dev.flywheel.core.verify.ProofVerifier;
import dev.flywheel.core.verify.Verdict;
import dev.flywheel.core.verify.VerdictLedger;
import dev.flywheel.core.verify.VerificationPolicy;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

/** DynamoEpochWork on a real moto_server: segments are disjoint and complete, harvesting fences, and how long 10,000 devices take. */
class DynamoEpochWorkIT {
    @RegisterExtension
    static final MotoTables MOTO = new MotoTables();
    private static final Instant GENESIS = Instant.parse("2026-01-01T00:00:00Z");
    private static final EpochClock CLOCK = new EpochClock(GENESIS, Duration.ofHours(1));
    private static final String OWNER = "0x00000000000000000000000000000000000000ee";
    private static DynamoDbClient dynamo;
    private static TableNames tables;
    private static DynamoProofLedger ledger;

    @BeforeAll
    static void createTables() {
        dynamo = MOTO.dynamo();
        tables = MOTO.tables();
        ledger = new DynamoProofLedger(dynamo, tables, CLOCK, Duration.ofDays(1));
    }

    @Test
    void segmentsAreDisjointCompleteAndAHarvestedDeviceCreditsLaterProofsToTheNextEpoch() {
        long epoch = 100;
        Instant at = CLOCK.start(epoch).plusSeconds(30);
        Map<String, DeviceSigningKey> keys = new TreeMap<>();
        Map<String, DeviceRecord> directory = new HashMap<>();
        for (int i = 0; i < 12; i++) {
            String id = "ew-" + i;
            DeviceSigningKey key = DeviceSigningKey.generate(SignatureScheme.ED25519, new SecureRandom());
            keys.put(id, key);
            directory.put(id, new DeviceRecord(id, SignatureScheme.ED25519, key.publicKey(), OWNER, DeviceStatus.ACTIVE, null));
        }
        ProofVerifier verifier = new ProofVerifier(id -> Optional.ofNullable(directory.get(id)), id -> false,
                VerificationPolicy.defaults(), PlausibilityChecks.defaults());
        int i = 0;
        for (String id : keys.keySet()) {
            for (int seq = 1; seq <= 1 + i % 3; seq++) {
                assertInstanceOf(Verdict.Accepted.class, record(verifier, keys.get(id), id, seq, at.plusSeconds(seq)).stored());
            }
            i++;
        }
        List<WorkCredit> before = ledger.credits(epoch);

        // One worker and three segments see the same devices with the same units, each device once.
        Map<String, DeviceWork> one = harvest(ledger.epochWork(), epoch, 1);
        Map<String, DeviceWork> three = harvest(ledger.epochWork(), epoch, 3);
        assertEquals(one, three);
        assertEquals(12, one.size());
        for (WorkCredit c : before) {
            DeviceWork w = one.get(c.deviceId());
            assertEquals(c.units(), w.totalUnits());
            assertEquals(OWNER, w.owner());
            assertEquals(Map.of("sensor.reading", c.units()), w.unitsByPool());
        }

        // After the harvest the epoch is fenced for each device: a late proof of it lands in the next epoch,
        // and the epoch's units, harvested again (a resumed close), are unchanged.
        VerdictLedger.Recorded late = record(verifier, keys.get("ew-0"), "ew-0", 10, at.plusSeconds(40));
        assertEquals(epoch + 1, late.epoch());
        assertEquals(one, harvest(ledger.epochWork(), epoch, 2));
        assertEquals(1, harvest(ledger.epochWork(), epoch + 1, 1).get("ew-0").totalUnits());
        assertNull(harvest(ledger.epochWork(), epoch + 1, 1).get("ew-1"));

        // The next epoch's fence dropped the epoch's units from the states: the epoch still reads the same (a recompute),
        // from the snapshots P#<device> / W#<epoch>, and a snapshot altered by hand is what is read.
        assertEquals(one, harvest(ledger.epochWork(), epoch, 3));
        Map<String, AttributeValue> altered = new HashMap<>(DynamoEpochWork.snapshotKey("ew-1", epoch));
        altered.put("owner", AttributeValue.fromS(OWNER));
        altered.put("units", AttributeValue.fromM(Map.of("sensor.reading", AttributeValue.fromN("99"))));
        dynamo.putItem(p -> p.tableName(tables.ledger()).item(altered));
        assertEquals(99, harvest(ledger.epochWork(), epoch, 1).get("ew-1").totalUnits());
    }

    /**
     * 10,000 devices with 10 proofs each in one epoch (100,000 proofs), their states written straight to moto with
     * BatchWriteItem: the one-worker harvest and a four-segment harvest, timed. -Dflywheel.epochwork.devices changes
     * the size (default 2,000 to keep the build short; docs/cost.md records the 10,000 run).
     */
    @Test
    void harvestsTenThousandDevicesOnMoto() throws Exception {
        int devices = Integer.getInteger("flywheel.epochwork.devices", 2_000);
        long epoch = 5_000;
        List<WriteRequest> pending = new ArrayList<>();
        long seedStart = System.nanoTime();
        for (int d = 0; d < devices; d++) {
            DeviceState state = DeviceState.empty("scale-" + d);
            state.owner = "0x" + String.format("%040x", d % 500);
            state.units.put(epoch, new TreeMap<>(Map.of("sensor.reading", 10L)));
            state.accepted = 10;
            Map<String, AttributeValue> item = state.toItem();
            pending.add(WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build());
            if (pending.size() == 25 || d == devices - 1) {
                Map<String, List<WriteRequest>> request = Map.of(tables.ledger(), List.copyOf(pending));
                while (!request.isEmpty()) {
                    Map<String, List<WriteRequest>> sending = request;
                    var response = dynamo.batchWriteItem(b -> b.requestItems(sending));
                    request = response.hasUnprocessedItems() ? response.unprocessedItems() : Map.of();
                }
                pending.clear();
            }
        }
        double seedSeconds = (System.nanoTime() - seedStart) / 1e9;

        long start = System.nanoTime();
        long[] units = new long[1];
        int[] count = new int[1];
        new DynamoEpochWork(dynamo, tables).forEachDevice(epoch, 0, 1, w -> {
            units[0] += w.totalUnits();
            count[0]++;
        });
        double oneWorker = (System.nanoTime() - start) / 1e9;
        assertEquals(devices, count[0]);
        assertEquals(10L * devices, units[0]);

        start = System.nanoTime();
        Map<String, DeviceWork> segmented = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int s = 0; s < 4; s++) {
                int segment = s;
                futures.add(pool.submit(() -> new DynamoEpochWork(dynamo, tables).forEachDevice(epoch, segment, 4,
                        w -> assertNull(segmented.put(w.deviceId(), w), "device delivered twice: " + w.deviceId()))));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        double fourSegments = (System.nanoTime() - start) / 1e9;
        assertEquals(devices, segmented.size());
        assertEquals(10L * devices, segmented.values().stream().mapToLong(DeviceWork::totalUnits).sum());
        System.out.printf("[epoch-work] moto: %d devices, %d proofs in one epoch (states seeded in %.1f s): harvest (scan + fence "
                        + "per device) %.1f s with one worker, %.1f s with 4 segments on 4 threads (%.0f devices/s)%n",
                devices, 10L * devices, seedSeconds, oneWorker, fourSegments, devices / fourSegments);
    }

    private static Map<String, DeviceWork> harvest(DynamoEpochWork work, long epoch, int segments) {
        Map<String, DeviceWork> out = new TreeMap<>();
        for (int s = 0; s < segments; s++) {
            work.forEachDevice(epoch, s, segments, w -> assertNull(out.put(w.deviceId(), w), "device delivered twice"));
        }
        return out;
    }

    private static VerdictLedger.Recorded record(ProofVerifier verifier, DeviceSigningKey key, String id, long seq, Instant at) {
        byte[] payload = ProofCodec.encode(id, seq, at, null, new SensorReading("humidity", 40, "percent"), key);
        InboundProof in = new InboundProof(id + "-d-" + seq, id, at, payload);
        return ledger.record(in, verifier.verify(in));
    }
}
