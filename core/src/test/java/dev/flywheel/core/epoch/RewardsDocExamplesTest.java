package dev.flywheel.core.epoch;

import dev.flywheel.core.geo.H3Native;
import dev.flywheel.core.network.NetworkConfig;
import dev.flywheel.core.network.NetworkConfigLoader;
import dev.flywheel.core.reward.EpochAllocation;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The worked examples of docs/rewards.md, under the configuration block that page shows. */
class RewardsDocExamplesTest {
    private static final String X = "0x" + "0".repeat(39) + "1";
    private static final String Y = "0x" + "0".repeat(39) + "2";
    private static final String Z = "0x" + "0".repeat(39) + "3";
    private static final String OPERATOR = "0x000000000000000000000000000000000000a11c";
    private static NetworkConfig config;

    @BeforeAll
    static void loadThePagesConfiguration() throws Exception {
        String page = Files.readString(Path.of("../docs/rewards.md"));
        int marker = page.indexOf("<!-- example-config -->");
        int start = page.indexOf("```json", marker) + "```json".length();
        config = NetworkConfigLoader.parse(page.substring(start, page.indexOf("```", start)));
    }

    private static DeviceWork work(String id, String owner, String source, long units) {
        return new DeviceWork(id, owner, new TreeMap<>(Map.of(source, units)));
    }

    private static EpochAllocation close(long epoch, InMemoryWorkSource work, Map<String, String> cells) {
        return new EpochCloser(new InMemoryEpochLedger(), work, DeviceLocations.of(cells), config,
                Clock.fixed(Instant.EPOCH, ZoneOffset.UTC), 2, new dev.flywheel.core.merkle.LeafDomain(31337, "0x00000000000000000000000000000000000000d1")).compute(epoch, Map.of(), EpochCloser.Progress.NONE).allocation();
    }

    private static BigInteger amount(EpochAllocation a, String device, String pool) {
        int p = a.pools().stream().map(EpochAllocation.PoolResult::name).toList().indexOf(pool);
        return a.devices().stream().filter(d -> d.deviceId().equals(device)).findFirst().orElseThrow().poolAmounts()[p];
    }

    private static EpochAllocation.PoolResult pool(EpochAllocation a, String name) {
        return a.pools().stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
    }

    private static BigInteger b(long v) {
        return BigInteger.valueOf(v);
    }

    @Test
    void examplesOneToThreeAndTheEpochTotals() {
        String sf = H3Native.get().latLngToCellAddress(37.7749, -122.4194, 12);
        String oakland = H3Native.get().latLngToCellAddress(37.8044, -122.2712, 12);
        String berkeley = H3Native.get().latLngToCellAddress(37.8715, -122.2730, 12);
        InMemoryWorkSource w = new InMemoryWorkSource()
                .put(0, new DeviceWork("a", X, new TreeMap<>(Map.of("sensor.reading", 4L, "uptime.response", 3L))))
                .put(0, work("b", X, "sensor.reading", 2)).put(0, work("c", Y, "sensor.reading", 1))
                .put(0, work("d", Z, "uptime.response", 1))
                .put(0, work("e", Y, "coverage.witness", 1_000_000)).put(0, work("f", X, "coverage.witness", 1_000_000))
                .put(0, new DeviceWork("g", Y, new TreeMap<>(Map.of("coverage.beacon", 750_000L, "coverage.witness", 1_000_000L))))
                .put(0, work("h", Z, "coverage.beacon", 500_000));
        EpochAllocation a = close(0, w, Map.of("e", sf, "f", sf, "g", oakland, "h", berkeley));

        assertEquals(List.of(new EpochAllocation.CutResult("operator", OPERATOR, b(50))), a.cuts());
        // Example 1: sensor
        assertEquals(List.of(b(342), b(171), b(85)), List.of(amount(a, "a", "sensor"), amount(a, "b", "sensor"), amount(a, "c", "sensor")));
        assertEquals(b(2), pool(a, "sensor").unallocated().get("rounding"));
        // Example 2: uptime, weight 2, cap 120
        assertEquals(b(120), amount(a, "a", "uptime"));
        assertEquals(b(50), amount(a, "d", "uptime"));
        assertEquals(b(30), pool(a, "uptime").unallocated().get("device_cap"));
        assertEquals(b(170), pool(a, "uptime").allocated());
        // Example 3: witness pool, density and owner cap
        Map<String, Long> scales = new TreeMap<>();
        a.devices().forEach(d -> scales.put(d.deviceId(), d.scalePpb()));
        assertEquals(500_000_000L, scales.get("e"));
        assertEquals(500_000_000L, scales.get("f"));
        assertEquals(1_000_000_000L, scales.get("g"));
        assertEquals(1_000_000_000L, scales.get("h"));
        assertEquals(b(120), pool(a, "witness").emission());
        assertEquals(b(2_000_000_000_000_000L), pool(a, "witness").weight());
        assertEquals(List.of(b(26), b(30), b(53)), List.of(amount(a, "e", "witness"), amount(a, "f", "witness"), amount(a, "g", "witness")));
        assertEquals(b(0), pool(a, "witness").unallocated().get("rounding"));
        assertEquals(b(11), pool(a, "witness").unallocated().get("owner_cap"));
        assertEquals(b(109), pool(a, "witness").allocated());
        // Example 3b: beacon pool
        assertEquals(b(30), pool(a, "beacon").emission());
        assertEquals(b(1_250_000_000_000_000L), pool(a, "beacon").weight());
        assertEquals(List.of(b(18), b(12)), List.of(amount(a, "g", "beacon"), amount(a, "h", "beacon")));
        assertEquals(b(30), pool(a, "beacon").allocated());
        // The epoch
        assertEquals(b(957), a.allocated());
        assertEquals(Map.of("rounding", b(2), "device_cap", b(30), "owner_cap", b(11), "empty_pool", b(0), "unassigned_share", b(0)),
                a.unallocatedByReason());
        assertEquals(Map.of(X, b(663), Y, b(182), Z, b(62), OPERATOR, b(50)), a.byAccount());
    }

    @Test
    void example4AnEmptyPool() {
        EpochAllocation a = close(0, new InMemoryWorkSource().put(0, work("a", X, "sensor.reading", 1)), Map.of());
        assertEquals(b(600), amount(a, "a", "sensor"));
        assertEquals(b(200), pool(a, "uptime").unallocated().get("empty_pool"));
        assertEquals(b(30), pool(a, "beacon").unallocated().get("empty_pool"));
        assertEquals(b(120), pool(a, "witness").unallocated().get("empty_pool"));
        assertEquals(b(650), a.allocated());
        assertEquals(b(350), a.unallocated());
    }

    @Test
    void example5TheEmissionSchedule() {
        long[] epochs = {0, 364, 365, 729, 730, 1094, 1095};
        long[] expected = {1000, 1000, 850, 850, 722, 722, 613};
        for (int i = 0; i < epochs.length; i++) {
            assertEquals(b(expected[i]), config.emission().emissionFor(epochs[i]), "epoch " + epochs[i]);
        }
    }

    @Test
    void example6TheUnitsOfOneWindow() {
        var units = config.rulesFor(0).coverageUnits();
        assertEquals(new dev.flywheel.core.reward.RewardRules.CoverageUnits(4, 8000, 2, 14), units);
        var file = new dev.flywheel.core.types.coverage.Hip15.Params(units.redundancy(), units.decayBps(), units.beaconerCap());
        assertEquals(1_200_000, file.beaconerMicros(5));
        assertEquals(760_000, file.witnessMicros(5));
        var halfDecay = new dev.flywheel.core.types.coverage.Hip15.Params(4, 5000, 2);
        assertEquals(1_500_000, halfDecay.beaconerMicros(5));
        assertEquals(700_000, halfDecay.witnessMicros(5));
        // maxRewardedWitnesses 4: n = 4
        assertEquals(1_000_000, file.beaconerMicros(4));
        assertEquals(1_000_000, file.witnessMicros(4));
    }

    /** Example 7 states its own rules: emission 1000, one pool over everything, no cuts. */
    @Test
    void example7ThreeEpochsOneOwnerAbsent() throws Exception {
        NetworkConfig onePool = NetworkConfigLoader.parse("""
                {"network": "example-7",
                 "epoch": {"genesis": "2026-01-01T00:00:00Z", "lengthSeconds": 86400, "lateDataSeconds": 3600},
                 "token": {"symbol": "FLY", "decimals": 18},
                 "rewards": [{"version": "example-7", "effectiveFromEpoch": 0,
                   "emission": {"steps": [{"fromEpoch": 0, "perEpoch": "1000"}]},
                   "pools": [{"name": "all", "shareBps": 10000, "sources": {"sensor.reading": 1}}]}]}
                """);
        InMemoryWorkSource w = new InMemoryWorkSource()
                .put(1, work("a", X, "sensor.reading", 1)).put(1, work("b", X, "sensor.reading", 1))
                .put(1, work("c", Y, "sensor.reading", 1))
                .put(2, work("a", X, "sensor.reading", 3));
        EpochCloser closer = new EpochCloser(new InMemoryEpochLedger(), w, DeviceLocations.of(Map.of()), onePool,
                Clock.fixed(Instant.EPOCH, ZoneOffset.UTC), 2, new dev.flywheel.core.merkle.LeafDomain(31337, "0x00000000000000000000000000000000000000d1"));
        long[][] expected = {{666, 333, 1}, {1666, 333, 0}, {1666, 333, 1000}};
        Map<String, BigInteger> cumulative = Map.of();
        for (int epoch = 1; epoch <= 3; epoch++) {
            EpochCloser.Computed c = closer.compute(epoch, cumulative, EpochCloser.Progress.NONE);
            cumulative = c.cumulative();
            long[] row = expected[epoch - 1];
            assertEquals(Map.of(X, b(row[0]), Y, b(row[1])), cumulative, "epoch " + epoch);
            assertEquals(b(row[2]), c.allocation().unallocated(), "epoch " + epoch + " unallocated");
        }
    }
}
