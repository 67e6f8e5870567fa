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

        int n = cellByDevice.size();
        String[] devices = new String[n];
        long[] leafOf = new long[n]; // 0: no usable cell
        HexCounts counts = new HexCounts(n);
        int d = 0;
        for (Map.Entry<String, String> e : cellByDevice.entrySet()) {
            devices[d] = e.getKey();
            String cell = e.getValue();
            if (cell != null && H3Index.isValidCell(cell) && H3Index.resolution(cell) >= finest) {
                leafOf[d] = parent(Long.parseUnsignedLong(cell, 16), finest);
                counts.add(leafOf[d], 1);
            }
            d++;
        }
        // Per resolution, finest first: unclipped and clipped counts of every occupied hex.
        HexCounts[] levels = new HexCounts[limits.size()];
        for (int i = limits.size() - 1; i >= 0; i--) {
            RewardRules.HexLimit limit = limits.get(i);
            HexCounts level = counts;
            level.clip((hex, count) -> {
                // The limit is never below target (max >= target), so a hex at or under target is never
                // clipped and its neighbours need not be looked up: most hexes, and most of the H3 calls.
                if (count <= limit.target()) {
                    return count;
                }
                long occupied = 0;
                for (Long neighbour : h3.gridDisk(hex, 1)) {
                    if (neighbour != hex && level.unclipped(neighbour) >= limit.target()) {
                        occupied++;
                    }
                }
                long hexLimit = Math.min(limit.max(), limit.target() * Math.max(1, occupied - limit.neighbors() + 1));
                return Math.min(count, hexLimit);
            });
            levels[limits.size() - 1 - i] = level;
            if (i > 0) {
                int coarser = limits.get(i - 1).resolution();
                HexCounts next = new HexCounts(level.size());
                level.forEach((hex, unclipped, clipped) -> next.add(parent(hex, coarser), clipped));
                counts = next;
            }
        }
        Map<String, Long> scales = new HashMap<>(n * 2);
        for (int i = 0; i < n; i++) {
            if (leafOf[i] == 0) {
                scales.put(devices[i], 0L);
                continue;
            }
            // Only clipped levels change the product; in longs while it fits, exactly in BigInteger otherwise.
            long num = 1;
            long den = 1;
            BigInteger bigNum = null;
            BigInteger bigDen = null;
            for (int level = 0; level < levels.length; level++) {
                int res = limits.get(limits.size() - 1 - level).resolution();
                long hex = parent(leafOf[i], res);
                long u = levels[level].unclipped(hex);
                long c = levels[level].clipped(hex);
                if (c == u) {
                    continue;
                }
                if (bigNum == null && Math.multiplyHigh(num, c) == 0 && Math.multiplyHigh(den, u) == 0
                        && num * c >= 0 && den * u >= 0) {
                    num *= c;
                    den *= u;
                } else {
                    bigNum = (bigNum == null ? BigInteger.valueOf(num) : bigNum).multiply(BigInteger.valueOf(c));
                    bigDen = (bigDen == null ? BigInteger.valueOf(den) : bigDen).multiply(BigInteger.valueOf(u));
                }
            }
            long scale;
            if (bigNum == null && Math.multiplyHigh(num, ONE) == 0 && num * ONE >= 0) {
                scale = num * ONE / den;
            } else {
                scale = (bigNum == null ? BigInteger.valueOf(num) : bigNum).multiply(BigInteger.valueOf(ONE))
                        .divide(bigDen == null ? BigInteger.valueOf(den) : bigDen).longValueExact();
            }
            scales.put(devices[i], scale);
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
