package dev.flywheel.core.epoch;

import dev.flywheel.core.network.NetworkConfig;
import dev.flywheel.core.network.NetworkConfigException;
import dev.flywheel.core.reward.RewardRules;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EpochRecomputeTest {
    private static final EpochClock CLOCK = new EpochClock(Instant.parse("2026-01-01T00:00:00Z"), Duration.ofHours(1));
    private static final String A = "0x" + "a".repeat(40);
    private static final String B = "0x" + "b".repeat(40);

    private static RewardRules rules(String version, long from, long perEpoch) {
        return new RewardRules(version, from, List.of(new RewardRules.EmissionStep(0, null, BigInteger.valueOf(perEpoch), 0, RewardRules.BPS)),
                List.of(), List.of(new RewardRules.Pool("sensor", RewardRules.BPS, new TreeMap<>(Map.of("sensor.reading", 1L)), false, null, null)),
                null);
    }

    private static NetworkConfig config(RewardRules... versions) {
        return new NetworkConfig("t", CLOCK.genesis(), CLOCK.length(), Duration.ZERO, "FLY", 18, List.of(versions));
    }

    @Test
    void recomputeMatchesUntilStoredWorkChangesThenNamesTheDevice() {
        InMemoryWorkSource work = new InMemoryWorkSource()
                .put(0, new DeviceWork("d1", A, new TreeMap<>(Map.of("sensor.reading", 2L))))
                .put(0, new DeviceWork("d2", B, new TreeMap<>(Map.of("sensor.reading", 1L))));
        InMemoryEpochLedger ledger = new InMemoryEpochLedger();
        NetworkConfig config = config(rules("v1", 0, 999));
        EpochCloser closer = new EpochCloser(ledger, work, DeviceLocations.of(Map.of()), config,
                Clock.fixed(CLOCK.end(0), ZoneOffset.UTC), 2, new dev.flywheel.core.merkle.LeafDomain(31337, "0x00000000000000000000000000000000000000d1"));
        closer.closeDue(5);
        var recompute = new EpochRecompute(ledger, closer, config);
        EpochRecompute.Result same = recompute.recompute(0, EpochCloser.Progress.NONE);
        assertTrue(same.matches());
        assertEquals(List.of(), same.differences());

        List<DeviceWork> changed = new ArrayList<>(work.byEpoch.get(0L));
        changed.set(1, new DeviceWork("d2", B, new TreeMap<>(Map.of("sensor.reading", 4L))));
        work.byEpoch.put(0L, changed);
        EpochRecompute.Result differs = recompute.recompute(0, EpochCloser.Progress.NONE);
        assertFalse(differs.matches());
        assertTrue(differs.differences().contains("allocations[device=d2].units: stored \"1\", recomputed \"4\""), differs.toString());
        assertTrue(differs.differences().contains("allocations[device=d1].amount: stored \"666\", recomputed \"333\""), differs.toString());
    }

    @Test
    void aClosedEpochRecomputesUnderItsOwnVersionAndTheCloserRefusesAVersionInThePast() {
        InMemoryWorkSource work = new InMemoryWorkSource().put(0, new DeviceWork("d1", A, new TreeMap<>(Map.of("sensor.reading", 1L))));
        InMemoryEpochLedger ledger = new InMemoryEpochLedger();
        Clock wall = Clock.fixed(CLOCK.end(1), ZoneOffset.UTC);
        new EpochCloser(ledger, work, DeviceLocations.of(Map.of()), config(rules("v1", 0, 100)), wall, 1, new dev.flywheel.core.merkle.LeafDomain(31337, "0x00000000000000000000000000000000000000d1")).closeDue(5);
        assertEquals(Map.of(A, BigInteger.valueOf(100)), ledger.balances(1));

        // v2 from epoch 2: epochs 0 and 1 still recompute under v1.
        NetworkConfig later = config(rules("v1", 0, 100), rules("v2", 2, 7));
        var closer = new EpochCloser(ledger, work, DeviceLocations.of(Map.of()), later, wall, 1, new dev.flywheel.core.merkle.LeafDomain(31337, "0x00000000000000000000000000000000000000d1"));
        assertTrue(new EpochRecompute(ledger, closer, later).recompute(0, EpochCloser.Progress.NONE).matches());

        // v2 from epoch 1, which is closed: refused before anything is written.
        NetworkConfig rewritten = config(rules("v1", 0, 100), rules("v2", 1, 7));
        var e = assertThrows(NetworkConfigException.class, () -> new EpochCloser(ledger, work, DeviceLocations.of(Map.of()),
                rewritten, Clock.fixed(CLOCK.end(3), ZoneOffset.UTC), 1, new dev.flywheel.core.merkle.LeafDomain(31337, "0x00000000000000000000000000000000000000d1")).closeDue(5));
        assertTrue(e.getMessage().contains("$.rewards[1].effectiveFromEpoch: 1 is not after the last closed epoch 1"), e.getMessage());
        assertEquals(1, ledger.cursor(-1).lastClosed());
    }

    @Test
    void aDeviceThatMovesAfterTheCloseDoesNotChangeTheRecomputedEpoch() {
        String sf = dev.flywheel.core.geo.H3Native.get().latLngToCellAddress(37.7749, -122.4194, 12);
        String oakland = dev.flywheel.core.geo.H3Native.get().latLngToCellAddress(37.8044, -122.2712, 12);
        String berkeley = dev.flywheel.core.geo.H3Native.get().latLngToCellAddress(37.8715, -122.2730, 12);
        RewardRules scaled = new RewardRules("v1", 0, List.of(new RewardRules.EmissionStep(0, null, BigInteger.valueOf(1_000_000), 0, RewardRules.BPS)),
                List.of(), List.of(new RewardRules.Pool("witness", RewardRules.BPS, new TreeMap<>(Map.of("coverage.witness", 1L)), true, null, null)),
                new RewardRules.DensityScaling(1, List.of(new RewardRules.HexLimit(8, 2, 1, 1), new RewardRules.HexLimit(10, 2, 1, 1))));
        NetworkConfig config = config(scaled);
        InMemoryWorkSource work = new InMemoryWorkSource()
                .put(0, new DeviceWork("d1", A, new TreeMap<>(Map.of("coverage.witness", 10L))))
                .put(0, new DeviceWork("d2", B, new TreeMap<>(Map.of("coverage.witness", 10L))))
                .put(0, new DeviceWork("d3", B, new TreeMap<>(Map.of("coverage.witness", 10L))));
        // The registry as the closer reads it: d1 and d2 share a hex (scale 1/2 each), d3 is alone.
        Map<String, String> registry = new java.util.HashMap<>(Map.of("d1", sf, "d2", sf, "d3", oakland));
        InMemoryEpochLedger ledger = new InMemoryEpochLedger();
        EpochCloser closer = new EpochCloser(ledger, work, DeviceLocations.of(registry), config,
                Clock.fixed(CLOCK.end(0), ZoneOffset.UTC), 2, new dev.flywheel.core.merkle.LeafDomain(31337, "0x00000000000000000000000000000000000000d1"));
        EpochManifest closed = closer.closeDue(5).getFirst();
        assertTrue(new String(ledger.manifestDocument(0).orElseThrow(), java.nio.charset.StandardCharsets.UTF_8)
                .contains("\"densityCells\":{\"d1\":\"" + sf + "\",\"d2\":\"" + sf + "\",\"d3\":\"" + oakland + "\"}"));

        registry.put("d2", berkeley); // the owner re-asserts d2's location after the close
        EpochRecompute.Result after = new EpochRecompute(ledger, closer, config).recompute(0, EpochCloser.Progress.NONE);
        assertTrue(after.matches(), after.differences().toString());
        assertEquals(closed.manifestHash(), after.recomputedHash());
        // With today's cells the same work would split differently: the recorded cells are what keeps the root.
        EpochCloser.Computed today = closer.compute(0, ledger.balances(-1), EpochCloser.Progress.NONE);
        assertFalse(today.rootHex().equals(closed.rootHex()), "moving d2 must change a fresh computation");
        assertEquals(closed.rootHex(), closer.compute(0, scaled, ledger.balances(-1), EpochCloser.Progress.NONE,
                DeviceLocations.of(ManifestDocument.densityCells(ledger.manifestDocument(0).orElseThrow()).orElseThrow())).rootHex());
    }
}
