package dev.flywheel.device.sim;

import java.util.random.RandomGenerator;

/**
 * Structurally valid H3 cell indexes (mode 1, resolution 8 to 12, digits 0-6, unused digits 7)
 * around one res-5 parent, so a simulated fleet is clustered in one region as a real deployment
 * would be. Nothing here checks the H3 grid itself (pentagon rules etc.); the anchor's base cell
 * is not a pentagon, so every index it yields is a real cell.
 */
public final class H3Cells {
    /** A res-12 cell; its res-5 ancestor anchors the fleet. */
    public static final String DEFAULT_ANCHOR = "8c2a1072b59ffff";
    private static final int KEEP_DIGITS = 5;

    private H3Cells() {
    }

    /** A cell at {@code resolution} (8..12) sharing the first five digits of {@code anchor}. */
    public static String near(String anchor, int resolution, RandomGenerator random) {
        if (resolution < 8 || resolution > 12) {
            throw new IllegalArgumentException("resolution must be 8..12");
        }
        long index = Long.parseUnsignedLong(anchor, 16);
        int anchorRes = (int) ((index >>> 52) & 0xF);
        if (((index >>> 59) & 0xF) != 1 || anchorRes < KEEP_DIGITS) {
            throw new IllegalArgumentException("anchor " + anchor + " is not an H3 cell of resolution >= 5");
        }
        long cell = index & ~(0xFL << 52) | ((long) resolution << 52);
        for (int digit = 1; digit <= 15; digit++) {
            int shift = (15 - digit) * 3;
            long value;
            if (digit <= KEEP_DIGITS) {
                value = (index >>> shift) & 7;
            } else if (digit <= resolution) {
                value = random.nextInt(7);
            } else {
                value = 7;
            }
            cell = cell & ~(7L << shift) | (value << shift);
        }
        return String.format("%015x", cell);
    }

    /** The resolution encoded in a cell index. */
    public static int resolutionOf(String cell) {
        return (int) ((Long.parseUnsignedLong(cell, 16) >>> 52) & 0xF);
    }
}
