package dev.flywheel.core.epoch;

import dev.flywheel.core.geo.H3Native;
import dev.flywheel.core.json.CanonicalJson;
import dev.flywheel.core.network.NetworkConfig;
import dev.flywheel.core.reward.EpochAllocation;
import dev.flywheel.core.reward.HexDensity;
import dev.flywheel.core.reward.RewardRules;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Properties over random fleets and configurations (seeded generators: each failure names its seed).
 * jqwik is not in the offline repository, so the generators are plain JUnit loops.
 */
class RewardPropertiesTest {
    private static final List<String> SOURCES = List.of("sensor.reading", "uptime.response", "coverage", "mobility.trace");
    private static final List<RewardRules.HexLimit> HIP17 = List.of(
            new RewardRules.HexLimit(4, 2, 500, 1000), new RewardRules.HexLimit(5, 4, 100, 200),
            new RewardRules.HexLimit(6, 4, 25, 50), new RewardRules.HexLimit(7, 4, 5, 10),
            new RewardRules.HexLimit(8, 2, 1, 1), new RewardRules.HexLimit(9, 2, 1, 1), new RewardRules.HexLimit(10, 2, 1, 1));
    private static final EpochClock CLOCK = new EpochClock(Instant.parse("2026-01-01T00:00:00Z"), Duration.ofHours(1));

    record Fleet(InMemoryWorkSource work, Map<String, String> cells) {
    }

    static RewardRules randomRules(Random r) {
        int budget = RewardRules.BPS;
        List<RewardRules.Cut> cuts = new ArrayList<>();
        if (r.nextBoolean()) {
            int bps = r.nextInt(1500);
            cuts.add(new RewardRules.Cut("operator", "0x" + "0".repeat(39) + "1", bps));
            budget -= bps;
        }
        List<String> sources = new ArrayList<>(SOURCES);
        java.util.Collections.shuffle(sources, r);
        int poolCount = 1 + r.nextInt(sources.size());
        List<RewardRules.Pool> pools = new ArrayList<>();
        for (int p = 0; p < poolCount; p++) {
            int bps = p == poolCount - 1 && r.nextBoolean() ? budget : r.nextInt(budget + 1);
            budget -= bps;
            TreeMap<String, Long> src = new TreeMap<>(Map.of(sources.get(p), 1L + r.nextInt(3)));
            BigInteger capD = r.nextInt(3) == 0 ? BigInteger.valueOf(r.nextInt(5_000_000)) : null;
            BigInteger capO = r.nextInt(3) == 0 ? BigInteger.valueOf(r.nextInt(20_000_000)) : null;
            pools.add(new RewardRules.Pool("p" + p, bps, src, r.nextBoolean(), capD, capO));
        }
        return new RewardRules("v" + r.nextInt(10), 0,
                List.of(new RewardRules.EmissionStep(0, null, BigInteger.valueOf(r.nextLong(1, Long.MAX_VALUE)).multiply(
                        BigInteger.valueOf(r.nextInt(1000) + 1)), 0, RewardRules.BPS)),
                cuts, pools, new RewardRules.DensityScaling(1, HIP17));
    }

    static Fleet randomFleet(Random r, long epoch) {
        InMemoryWorkSource work = new InMemoryWorkSource();
        Map<String, String> cells = new HashMap<>();
        int devices = r.nextInt(150);
        int owners = 1 + r.nextInt(12);
        double lat0 = 37.7;
        double lng0 = -122.4;
        double spread = r.nextBoolean() ? 0.01 : 0.5;
        for (int d = 0; d < devices; d++) {
            // Now and then an id that needs escaping, to hold the hand-written canonical form to RFC 8785.
            String id = (r.nextInt(10) == 0 ? "d\u00e9v\"\\\n\u0001\u20ac-" : "dev-") + r.nextInt(1_000_000);
            if (cells.containsKey(id)) {
                continue;
            }
            TreeMap<String, Long> units = new TreeMap<>();
            for (String s : SOURCES) {
                if (r.nextInt(3) > 0) {
                    units.put(s, (long) r.nextInt(r.nextBoolean() ? 5 : 100_000));
                }
            }
            if (r.nextInt(10) == 0) {
                units.put("energy.meter", 7L); // a source no pool takes
            }
            work.put(epoch, new DeviceWork(id, "0x" + String.format("%040x", r.nextInt(owners)), units));
            cells.put(id, r.nextInt(20) == 0 ? null : H3Native.get().latLngToCellAddress(
                    lat0 + r.nextDouble() * spread, lng0 + r.nextDouble() * spread, 12));
        }
        return new Fleet(work, cells);
    }

    private static NetworkConfig config(RewardRules rules) {
        return new NetworkConfig("test", CLOCK.genesis(), CLOCK.length(), Duration.ZERO, "FLY", 18, List.of(rules));
    }

    private static EpochCloser.Computed close(RewardRules rules, Fleet f, int workers) {
        var closer = new EpochCloser(new InMemoryEpochLedger(), f.work(), DeviceLocations.of(f.cells()), config(rules),
                Clock.fixed(Instant.EPOCH, ZoneOffset.UTC), workers, new dev.flywheel.core.merkle.LeafDomain(31337, "0x00000000000000000000000000000000000000d1"));
        return closer.compute(3, Map.of(), EpochCloser.Progress.NONE);
    }

    @Test
    void sumsAreExactCapsHoldAndKWorkersEqualOne() {
        for (int seed = 0; seed < 300; seed++) {
            Random r = new Random(seed);
            RewardRules rules = randomRules(r);
            Fleet fleet = randomFleet(r, 3);
            EpochCloser.Computed one = close(rules, fleet, 1);
            EpochAllocation a = one.allocation();
            String at = "seed " + seed;
            assertEquals(a.emission(), a.allocated().add(a.unallocated()), at);
            BigInteger sum = a.cuts().stream().map(EpochAllocation.CutResult::amount).reduce(BigInteger.ZERO, BigInteger::add);
            for (int p = 0; p < a.pools().size(); p++) {
                EpochAllocation.PoolResult pool = a.pools().get(p);
                BigInteger unallocated = pool.unallocated().values().stream().reduce(BigInteger.ZERO, BigInteger::add);
                assertEquals(pool.emission(), pool.allocated().add(unallocated), at + " pool " + pool.name());
                RewardRules.Pool rule = rules.pools().get(p);
                Map<String, BigInteger> byOwner = new HashMap<>();
                BigInteger devices = BigInteger.ZERO;
                for (var d : a.devices()) {
                    BigInteger x = d.poolAmounts()[p];
                    assertTrue(x.signum() >= 0, at);
                    if (rule.capPerDevice() != null) {
                        assertTrue(x.compareTo(rule.capPerDevice()) <= 0, at + " device cap");
                    }
                    byOwner.merge(d.owner(), x, BigInteger::add);
                    devices = devices.add(x);
                }
                assertEquals(pool.allocated(), devices, at);
                if (rule.capPerOwner() != null) {
                    byOwner.values().forEach(v -> assertTrue(v.compareTo(rule.capPerOwner()) <= 0, at + " owner cap"));
                }
                sum = sum.add(devices);
            }
            assertEquals(a.allocated(), sum, at + ": allocated = cuts + every device's amount");
            try {
                assertArrayEquals(CanonicalJson.canonicalize(CanonicalJson.mapper().readTree(one.document())), one.document(),
                        at + ": the manifest is its own RFC 8785 form");
            } catch (Exception e) {
                throw new AssertionError(at, e);
            }
            for (int k : new int[]{2, 3, 7}) {
                EpochCloser.Computed split = close(rules, fleet, k);
                assertEquals(one.manifestHash(), split.manifestHash(), at + " with " + k + " workers");
                assertArrayEquals(one.document(), split.document(), at);
            }
        }
    }

    @Test
    void scaleNeverRisesWhenItsHexGetsDenser() {
        RewardRules.DensityScaling density = new RewardRules.DensityScaling(1, HIP17);
        for (int seed = 0; seed < 60; seed++) {
            Random r = new Random(seed);
            Map<String, String> cells = new HashMap<>(randomFleet(r, 0).cells());
            cells.values().removeIf(java.util.Objects::isNull);
            if (cells.isEmpty()) {
                continue;
            }
            String probe = cells.keySet().stream().sorted().findFirst().orElseThrow();
            long previous = HexDensity.scales(density, cells).get(probe);
            for (int added = 1; added <= 30; added++) {
                cells.put("extra-" + added, cells.get(probe));
                long now = HexDensity.scales(density, cells).get(probe);
                assertTrue(now <= previous, "seed " + seed + ": scale rose from " + previous + " to " + now + " at +" + added);
                previous = now;
            }
            assertTrue(previous <= HexDensity.ONE / 2, "31 devices in one res-10 hex share at most half: " + previous);
        }
    }
}
