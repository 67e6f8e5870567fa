package dev.flywheel.core.reward;

import com.uber.h3core.H3Core;
import dev.flywheel.core.geo.H3Index;
import dev.flywheel.core.geo.H3Native;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
        List<RewardRules.HexLimit> limits = new ArrayList<>(config.resolutions());
        limits.sort(Comparator.comparingInt(RewardRules.HexLimit::resolution));
        int finest = limits.getLast().resolution();
        H3Core h3 = H3Native.get();

        Map<String, Long> leafOf = new HashMap<>();
        Map<Long, Long> unclipped = new HashMap<>();
        for (Map.Entry<String, String> e : cellByDevice.entrySet()) {
            String cell = e.getValue();
            if (cell == null || !H3Index.isValidCell(cell) || H3Index.resolution(cell) < finest) {
                continue;
            }
            long leaf = parent(Long.parseUnsignedLong(cell, 16), finest);
            leafOf.put(e.getKey(), leaf);
            unclipped.merge(leaf, 1L, Long::sum);
        }
        // Per resolution, finest first: unclipped and clipped counts of every occupied hex.
        List<Map<Long, long[]>> levels = new ArrayList<>();
        for (int i = limits.size() - 1; i >= 0; i--) {
            RewardRules.HexLimit limit = limits.get(i);
            Map<Long, long[]> level = new HashMap<>(unclipped.size() * 2);
            for (Map.Entry<Long, Long> e : unclipped.entrySet()) {
                long count = e.getValue();
                long clipped = count;
                // The limit is never below target (max >= target), so a hex at or under target is never
                // clipped and its neighbours need not be looked up: most hexes, and most of the H3 calls.
                if (count > limit.target()) {
                    long hex = e.getKey();
                    long occupied = 0;
                    for (Long n : h3.gridDisk(hex, 1)) {
                        if (n != hex && unclipped.getOrDefault(n, 0L) >= limit.target()) {
                            occupied++;
                        }
                    }
                    long hexLimit = Math.min(limit.max(), limit.target() * Math.max(1, occupied - limit.neighbors() + 1));
                    clipped = Math.min(count, hexLimit);
                }
                level.put(e.getKey(), new long[]{count, clipped});
            }
            levels.add(level);
            if (i > 0) {
                int coarser = limits.get(i - 1).resolution();
                Map<Long, Long> next = new HashMap<>();
                level.forEach((hex, counts) -> next.merge(parent(hex, coarser), counts[1], Long::sum));
                unclipped = next;
            }
        }
        Map<String, Long> scales = new HashMap<>(cellByDevice.size() * 2);
        BigInteger one = BigInteger.valueOf(ONE);
        for (String device : cellByDevice.keySet()) {
            Long leaf = leafOf.get(device);
            if (leaf == null) {
                scales.put(device, 0L);
                continue;
            }
            BigInteger num = BigInteger.ONE;
            BigInteger den = BigInteger.ONE;
            for (int level = 0; level < levels.size(); level++) {
                int res = limits.get(limits.size() - 1 - level).resolution();
                long[] counts = levels.get(level).get(parent(leaf, res));
                num = num.multiply(BigInteger.valueOf(counts[1]));
                den = den.multiply(BigInteger.valueOf(counts[0]));
            }
            scales.put(device, num.multiply(one).divide(den).longValueExact());
        }
        return scales;
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
