package dev.flywheel.core.geo;

import java.util.regex.Pattern;

/**
 * Structural checks of H3 cell indexes (the 64-bit layout of the H3 spec, written as 15 lowercase
 * hex digits): mode 1 (cell), resolution 0-15, base cell below 122, and every digit past the
 * resolution set to 7 (unused). Geometry is not needed to reject a made-up index.
 */
public final class H3Index {
    private static final Pattern HEX15 = Pattern.compile("[0-9a-f]{15}");
    private static final int BASE_CELLS = 122;

    private H3Index() {
    }

    public static boolean isValidCell(String cell) {
        if (cell == null || !HEX15.matcher(cell).matches()) {
            return false;
        }
        long h = Long.parseUnsignedLong(cell, 16);
        if ((h >>> 63) != 0 || ((h >>> 59) & 0xF) != 1) {
            return false;
        }
        int res = resolutionOf(h);
        if (((h >>> 45) & 0x7F) >= BASE_CELLS) {
            return false;
        }
        for (int r = 1; r <= 15; r++) {
            int digit = (int) ((h >>> ((15 - r) * 3)) & 0x7);
            if (r > res ? digit != 7 : digit == 7) {
                return false;
            }
        }
        return true;
    }

    /** Resolution of a valid cell. */
    public static int resolution(String cell) {
        return resolutionOf(Long.parseUnsignedLong(cell, 16));
    }

    private static int resolutionOf(long h) {
        return (int) ((h >>> 52) & 0xF);
    }
}
