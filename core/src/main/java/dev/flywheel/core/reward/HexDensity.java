package dev.flywheel.core.reward;

import com.uber.h3core.H3Core;
import dev.flywheel.core.geo.H3Index;
import dev.flywheel.core.geo.H3Native;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * HIP-17 hex density scaling. At the finest configured resolution a hex's unclipped count is its
 * number of active devices; at each coarser one it is the sum of its children's clipped counts. A
 * hex's limit is {@code min(max, target * max(1, occupied - neighbors + 1))}, where occupied counts
 * its ring-1 neighbours whose unclipped count reaches {@code target}; clipped = min(unclipped, limit).
 * A device's scale is the product over resolutions of clipped/unclipped of its hexes, truncated to
 * parts per billion ({@link #ONE}) so the split stays in integers.
 */
public final class HexDensity {
    /** Scale 1.0 in parts per billion. */
    public static final long ONE = 1_000_000_000L;

    private HexDensity() {
    }

    /** Scale in ppb for every device in {@code cellByDevice}; 0 for a device without a usable cell. */
    public static Map<String, Long> scales(RewardRules.DensityScaling config, Map<String, String> cellByDevice) {
        Levels levels = new Levels(config, cellByDevice.values());
        Map<String, Long> scales = new HashMap<>(cellByDevice.size() * 2);
        cellByDevice.forEach((device, cell) -> scales.put(device, levels.scale(cell)));
        return scales;
    }

    /**
     * Scale in ppb of each of {@code devices}, in their order, with the hexes counted over every device in
     * {@code cellByDevice} (which may hold more devices: those active in the lookback epochs); 0 for a device
     * without a usable cell. The devices are scaled in parallel: each scale reads only the finished counts.
     *
     * @param cellByDevice read from several threads: a map whose reads do not change it (a HashMap)
     */
    public static long[] scales(RewardRules.DensityScaling config, Map<String, String> cellByDevice, List<String> devices) {
        Levels levels = new Levels(config, cellByDevice.values());
        long[] scales = new long[devices.size()];
        IntStream.range(0, scales.length).parallel()
                .forEach(i -> scales[i] = levels.scale(cellByDevice.get(devices.get(i))));
        return scales;
    }

    /** Unclipped and clipped counts of every occupied hex at every configured resolution, finest first. */
    private static final class Levels {
        private final int[] resolution;
        private final HexCounts[] counts;

        Levels(RewardRules.DensityScaling config, Collection<String> cells) {
            List<RewardRules.HexLimit> limits = new ArrayList<>(config.resolutions());
            limits.sort(Comparator.comparingInt(RewardRules.HexLimit::resolution));
            int finest = limits.getLast().resolution();
            H3Core h3 = H3Native.get();
            HexCounts leaves = new HexCounts(cells.size());
            for (String cell : cells) {
                long leaf = leaf(cell, finest);
                if (leaf != 0) {
                    leaves.add(leaf, 1);
                }
            }
            resolution = new int[limits.size()];
            counts = new HexCounts[limits.size()];
            // Per resolution, finest first: unclipped and clipped counts of every occupied hex.
            HexCounts level = leaves;
            for (int i = limits.size() - 1; i >= 0; i--) {
                RewardRules.HexLimit limit = limits.get(i);
                HexCounts current = level;
                // In parallel (HexCounts.clip): H3Core is thread safe, and the lookups read unclipped counts only.
                current.clip((hex, count) -> {
                    // The limit is never below target (max >= target), so a hex at or under target is never
                    // clipped and its neighbours need not be looked up: most hexes, and most of the H3 calls.
                    if (count <= limit.target()) {
                        return count;
                    }
                    long occupied = 0;
                    for (Long neighbour : h3.gridDisk(hex, 1)) {
                        if (neighbour != hex && current.unclipped(neighbour) >= limit.target()) {
                            occupied++;
                        }
                    }
                    long hexLimit = Math.min(limit.max(), limit.target() * Math.max(1, occupied - limit.neighbors() + 1));
                    return Math.min(count, hexLimit);
                });
                resolution[limits.size() - 1 - i] = limit.resolution();
                counts[limits.size() - 1 - i] = current;
                if (i > 0) {
                    int coarser = limits.get(i - 1).resolution();
                    HexCounts next = new HexCounts(current.size());
                    current.forEach((hex, unclipped, clipped) -> next.add(parent(hex, coarser), clipped));
                    level = next;
                }
            }
        }

        /** The device's hex at the finest resolution, or 0 when its cell is not usable. */
        private long leaf(String cell, int finest) {
            long h = H3Index.parseCell(cell);
            return h == 0 || ((h >>> 52) & 0xF) < finest ? 0 : parent(h, finest);
        }

        /** Scale in ppb of a device at {@code cell}: 0 without a usable cell. */
        long scale(String cell) {
            long leaf = leaf(cell, resolution[0]);
            if (leaf == 0) {
                return 0;
            }
            // Only clipped levels change the product; in longs while it fits, exactly in BigInteger otherwise.
            long num = 1;
            long den = 1;
            BigInteger bigNum = null;
            BigInteger bigDen = null;
            for (int level = 0; level < counts.length; level++) {
                HexCounts c = counts[level];
                int slot = c.slotOf(level == 0 ? leaf : parent(leaf, resolution[level]));
                long u = c.unclippedAt(slot);
                long k = c.clippedAt(slot);
                if (k == u) {
                    continue;
                }
                if (bigNum == null && Math.multiplyHigh(num, k) == 0 && Math.multiplyHigh(den, u) == 0
                        && num * k >= 0 && den * u >= 0) {
                    num *= k;
                    den *= u;
                } else {
                    bigNum = (bigNum == null ? BigInteger.valueOf(num) : bigNum).multiply(BigInteger.valueOf(k));
                    bigDen = (bigDen == null ? BigInteger.valueOf(den) : bigDen).multiply(BigInteger.valueOf(u));
                }
            }
            if (bigNum == null && Math.multiplyHigh(num, ONE) == 0 && num * ONE >= 0) {
                return num * ONE / den;
            }
            return (bigNum == null ? BigInteger.valueOf(num) : bigNum).multiply(BigInteger.valueOf(ONE))
                    .divide(bigDen == null ? BigInteger.valueOf(den) : bigDen).longValueExact();
        }
    }

    /** The H3 parent by bit layout: resolution field set, finer digits set to 7 (unused). */
    static long parent(long cell, int res) {
        int own = (int) ((cell >>> 52) & 0xF);
        if (res > own) {
            throw new IllegalArgumentException("resolution " + res + " is finer than the cell's " + own);
        }
        long h = (cell & ~(0xFL << 52)) | ((long) res << 52);
        for (int r = res + 1; r <= 15; r++) {
            h |= 7L << ((15 - r) * 3);
        }
        return h;
    }
}
