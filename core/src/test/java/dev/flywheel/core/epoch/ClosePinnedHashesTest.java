package dev.flywheel.core.epoch;

import dev.flywheel.core.geo.H3Native;
import dev.flywheel.core.network.NetworkConfig;
import dev.flywheel.core.reward.RewardRules;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Manifest hashes of random closes, pinned from the closer before its speed-up (BigInteger per device, one
 * thread): the fast paths (longs, parallel pools, chunks, hand-written Keccak) must give the same bytes for
 * every input. The fleets mix emissions from 0 to 2^163, device and owner caps that do and do not fit in a
 * long, units up to 2^30 (pool weights past a long), ids that need JSON escapes, unusable cells, previous
 * balances and lookback epochs.
 */
class ClosePinnedHashesTest {
    private static final List<String> SOURCES = List.of("sensor.reading", "uptime.response", "coverage", "mobility.trace");
    private static final List<RewardRules.HexLimit> HIP17 = List.of(
            new RewardRules.HexLimit(4, 2, 500, 1000), new RewardRules.HexLimit(5, 4, 100, 200),
            new RewardRules.HexLimit(6, 4, 25, 50), new RewardRules.HexLimit(7, 4, 5, 10),
            new RewardRules.HexLimit(8, 2, 1, 1), new RewardRules.HexLimit(9, 2, 1, 1), new RewardRules.HexLimit(10, 2, 1, 1));
    private static final EpochClock CLOCK = new EpochClock(Instant.parse("2026-01-01T00:00:00Z"), Duration.ofHours(1));
    private static final String[] PINNED = {
            "0xb3653e2ff29396b3c383749a06ca7cd9744d72a5bec29db815feea018ecf6806",
            "0x63bde9a203f1349299a0a1c15ee1a0e43bcf77dbf28371e7f541ca198d3a7250",
            "0x6fa93a4118778a977d15de9cf3866dab6e8577e86f527e266deaa05d0896448c",
            "0x9d9fc2399dc5db7e3c4e7728cc68736714cda28ba38f14d8ec9bfac3881c8e32",
            "0x8a8d8fcac251d26d4afedfe785685adc776d3911d7e1b8735e1ab24e346cdfd7",
            "0x41cefd502a323a8ea83034ba324a0428531f55afcb773f233e87c0dff9c2510b",
            "0x8dfba24863115d0f0bd432fec1e0f638e3dab5568d21916fc988116f28dde790",
            "0xfc4691f831581132c237a64ab8d3fc55f4ef60cfaf59e00325ccac5bc1c92ab3",
            "0x8bdc6f5d563bc029916b8a0706e5327b4c9d9d9d0c4e00073a2e06a18e6bb3a9",
            "0x9fb13f66b4a5da0f4a6e4d837df19df12256f8dce2b8fc7a2a20e5182ceccbec",
            "0xda73726fcc6efc317fea8f8ed54b6c0eb4ab8eb5307c0533d2eec6cbdc9edfff",
            "0x46d3f98c7d9e5ee7e9ad067278fa54f7f9ccfc8bd2dc59adcda35930abc30fbd",
            "0xcb0668de02b529dc40d62d979ef3c7c631c7ca90918adfc044aba51489782627",
            "0x26d440bbea15552e9b51ffbca349949ed46e08b73f254d278a9abf9a3d4c6e78",
            "0xc050f314a93d2b36218de5bb55163120f162a523222bf298d310e2d72ae2b975",
            "0xa1ecb64ef5179bca29a7e88838e7b9a1b6bcdb50e58d6f188dcd6c9dc480bde2"
    };

    @Test
    void closesMatchTheHashesOfTheOriginalCloser() {
        for (int seed = 0; seed < PINNED.length; seed++) {
            assertEquals(PINNED[seed], close(seed, 2).manifestHash(), "seed " + seed);
        }
    }

    private static EpochCloser.Computed close(int seed, int workers) {
        Random r = new Random(seed * 7919L);
        int budget = RewardRules.BPS;
        List<RewardRules.Cut> cuts = new ArrayList<>();
        if (r.nextBoolean()) {
            int bps = r.nextInt(1500);
            cuts.add(new RewardRules.Cut("operator", "0x" + "0".repeat(39) + "1", bps));
            budget -= bps;
        }
        List<String> sources = new ArrayList<>(SOURCES);
        Collections.shuffle(sources, r);
        int poolCount = 1 + r.nextInt(sources.size());
        List<RewardRules.Pool> pools = new ArrayList<>();
        for (int p = 0; p < poolCount; p++) {
            int bps = p == poolCount - 1 && r.nextBoolean() ? budget : r.nextInt(budget + 1);
            budget -= bps;
            TreeMap<String, Long> src = new TreeMap<>(Map.of(sources.get(p), 1L + r.nextInt(3)));
            BigInteger capD = switch (r.nextInt(5)) {
                case 0 -> BigInteger.valueOf(r.nextInt(5_000_000));
                case 1 -> new BigInteger(1 + r.nextInt(100), r);
                case 2 -> BigInteger.valueOf(Long.MAX_VALUE).add(BigInteger.valueOf(r.nextInt(3) - 1)); // around 2^63
                default -> null;
            };
            BigInteger capO = switch (r.nextInt(4)) {
                case 0 -> BigInteger.valueOf(r.nextInt(20_000_000));
                case 1 -> new BigInteger(1 + r.nextInt(100), r);
                default -> null;
            };
            pools.add(new RewardRules.Pool("p" + p, bps, src, r.nextBoolean(), capD, capO));
        }
        BigInteger emission = switch (r.nextInt(4)) {
            case 0 -> BigInteger.valueOf(r.nextInt(1000));
            case 1 -> BigInteger.valueOf(r.nextLong(1, Long.MAX_VALUE));
            case 2 -> new BigInteger(64 + r.nextInt(100), r);
            default -> new BigInteger("1000000000000000000000");
        };
        int lookback = 1 + r.nextInt(3);
        RewardRules rules = new RewardRules("v" + r.nextInt(10), 0,
                List.of(new RewardRules.EmissionStep(0, null, emission, 0, RewardRules.BPS)), cuts, pools,
                new RewardRules.DensityScaling(lookback, HIP17));
        Map<Long, List<DeviceWork>> byEpoch = new HashMap<>();
        Map<String, String> cells = new HashMap<>();
        int devices = r.nextInt(r.nextBoolean() ? 200 : 20_000);
        int owners = 1 + r.nextInt(r.nextBoolean() ? 12 : 5000);
        double spread = r.nextBoolean() ? 0.01 : 0.5;
        for (long epoch = 1; epoch <= 3; epoch++) {
            Set<String> seen = new HashSet<>();
            for (int d = 0; d < devices; d++) {
                String id = (r.nextInt(10) == 0 ? "d\u00e9v\"\\\n\u0001\u20ac-" : "dev-") + r.nextInt(devices * 3 + 1);
                if (!seen.add(id)) {
                    continue;
                }
                TreeMap<String, Long> units = new TreeMap<>();
                for (String s : SOURCES) {
                    if (r.nextInt(3) > 0) {
                        units.put(s, switch (r.nextInt(4)) {
                            case 0 -> (long) r.nextInt(5);
                            case 1 -> (long) r.nextInt(100_000);
                            case 2 -> r.nextLong(1L << (r.nextBoolean() ? 20 : 30));
                            default -> 0L;
                        });
                    }
                }
                if (r.nextInt(10) == 0) {
                    units.put("energy.meter", 7L); // a source no pool takes
                }
                byEpoch.computeIfAbsent(epoch, e -> new ArrayList<>())
                        .add(new DeviceWork(id, "0x" + String.format("%040x", r.nextInt(owners)), units));
                if (!cells.containsKey(id)) {
                    cells.put(id, r.nextInt(20) == 0 ? null : r.nextInt(50) == 0 ? "zz"
                            : H3Native.get().latLngToCellAddress(37.7 + r.nextDouble() * spread,
                            -122.4 + r.nextDouble() * spread, r.nextInt(10) == 0 ? 9 : 12));
                }
            }
        }
        EpochWorkSource work = (epoch, segment, segments, sink) -> {
            for (DeviceWork w : byEpoch.getOrDefault(epoch, List.of())) {
                if (Math.floorMod(w.deviceId().hashCode(), segments) == segment) {
                    sink.accept(w);
                }
            }
        };
        Map<String, BigInteger> previous = new HashMap<>();
        if (r.nextBoolean()) {
            for (int o = 0; o < owners; o += 2) {
                previous.put("0x" + String.format("%040x", o), new BigInteger(1 + r.nextInt(90), r));
            }
        }
        NetworkConfig config = new NetworkConfig("test", CLOCK.genesis(), CLOCK.length(), Duration.ZERO, "FLY", 18,
                List.of(rules));
        var closer = new EpochCloser(new InMemoryEpochLedger(), work, DeviceLocations.of(cells), config,
                Clock.fixed(Instant.EPOCH, ZoneOffset.UTC), workers,
                new dev.flywheel.core.merkle.LeafDomain(31337, "0x00000000000000000000000000000000000000d1"));
        return closer.compute(3, previous, EpochCloser.Progress.NONE);
    }
}
