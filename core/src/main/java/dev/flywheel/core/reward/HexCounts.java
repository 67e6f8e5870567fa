package dev.flywheel.core.reward;

/**
 * H3 hex -> (unclipped, clipped) device counts for {@link HexDensity}: open addressing over primitive arrays. A
 * {@code HashMap<Long, ...>} spent most of a million-device close in {@code Long.equals}: H3 indexes of one region
 * differ only in a few middle bits, which {@code Long.hashCode} folds onto few buckets. Here the hash is a full
 * 64-bit mix (MurmurHash3's finalizer). No removal; 0 is never a valid H3 index, so it marks an empty slot.
 */
final class HexCounts {
    private long[] keys;
    private long[] unclipped;
    private long[] clipped;
    private int size;

    HexCounts(int expected) {
        int capacity = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        keys = new long[capacity];
        unclipped = new long[capacity];
        clipped = new long[capacity];
    }

    int size() {
        return size;
    }

    /** Adds {@code n} to the hex's unclipped count. */
    void add(long hex, long n) {
        int i = slot(hex);
        if (keys[i] == 0) {
            keys[i] = hex;
            if (++size * 2 > keys.length) {
                grow();
                i = slot(hex);
            }
        }
        unclipped[i] += n;
    }

    /** The hex's unclipped count, 0 when absent. */
    long unclipped(long hex) {
        int i = slot(hex);
        return keys[i] == 0 ? 0 : unclipped[i];
    }

    /** The slot of a hex that is present, for {@link #unclippedAt} and {@link #clippedAt}: one probe for both counts. */
    int slotOf(long hex) {
        int i = slot(hex);
        if (keys[i] == 0) {
            throw new IllegalStateException("hex " + Long.toHexString(hex) + " was never counted");
        }
        return i;
    }

    long unclippedAt(int slot) {
        return unclipped[slot];
    }

    long clippedAt(int slot) {
        return clipped[slot];
    }

    /** The hex's clipped count; the hex must be present. */
    long clipped(long hex) {
        int i = slot(hex);
        if (keys[i] == 0) {
            throw new IllegalStateException("hex " + Long.toHexString(hex) + " was never counted");
        }
        return clipped[i];
    }

    /**
     * Sets every hex's clipped count to {@code clip(hex, unclipped)}, over blocks of slots in parallel: each slot
     * writes only its own clipped count, and {@code clip} may read only unclipped counts, which do not change.
     */
    void clip(Clip clip) {
        int block = 4096;
        java.util.stream.IntStream.range(0, (keys.length + block - 1) / block).parallel().forEach(b -> {
            for (int i = b * block; i < Math.min(keys.length, (b + 1) * block); i++) {
                if (keys[i] != 0) {
                    clipped[i] = clip.clipped(keys[i], unclipped[i]);
                }
            }
        });
    }

    /** Calls {@code visitor} for every hex present, in slot order (callers must not depend on it). */
    void forEach(Visitor visitor) {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != 0) {
                visitor.visit(keys[i], unclipped[i], clipped[i]);
            }
        }
    }

    @FunctionalInterface
    interface Clip {
        long clipped(long hex, long unclipped);
    }

    @FunctionalInterface
    interface Visitor {
        void visit(long hex, long unclipped, long clipped);
    }

    private int slot(long hex) {
        int mask = keys.length - 1;
        int i = (int) mix(hex) & mask;
        while (keys[i] != 0 && keys[i] != hex) {
            i = (i + 1) & mask;
        }
        return i;
    }

    private void grow() {
        long[] k = keys;
        long[] u = unclipped;
        long[] c = clipped;
        keys = new long[k.length * 2];
        unclipped = new long[k.length * 2];
        clipped = new long[k.length * 2];
        for (int j = 0; j < k.length; j++) {
            if (k[j] != 0) {
                int i = slot(k[j]);
                keys[i] = k[j];
                unclipped[i] = u[j];
                clipped[i] = c[j];
            }
        }
    }

    private static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

}
