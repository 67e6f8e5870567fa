package dev.flywheel.core.geo;

/**
 * Structural checks of H3 cell indexes (the 64-bit layout of the H3 spec, written as 15 lowercase
 * hex digits): mode 1 (cell), resolution 0-15, base cell below 122, and every digit past the
 * resolution set to 7 (unused). Geometry is not needed to reject a made-up index.
 */
public final class H3Index {
    private static final int BASE_CELLS = 122;

    private H3Index() {
    }

    public static boolean isValidCell(String cell) {
        return parseCell(cell) != 0;
    }

    /**
     * The 64-bit index of a valid cell, or 0 (never a valid index) when {@code cell} is not one. Parsed by hand,
     * not by a pattern: a million-device close checks every device's cell.
     */
    public static long parseCell(String cell) {
        if (cell == null || cell.length() != 15) {
            return 0;
        }
        long h = 0;
        for (int i = 0; i < 15; i++) {
            char c = cell.charAt(i);
            int digit;
            if (c >= '0' && c <= '9') {
                digit = c - '0';
            } else if (c >= 'a' && c <= 'f') {
                digit = c - 'a' + 10;
            } else {
                return 0;
            }
            h = (h << 4) | digit;
        }
        if ((h >>> 63) != 0 || ((h >>> 59) & 0xF) != 1) {
            return 0;
        }
        int res = resolutionOf(h);
        if (((h >>> 45) & 0x7F) >= BASE_CELLS) {
            return 0;
        }
        for (int r = 1; r <= 15; r++) {
            int digit = (int) ((h >>> ((15 - r) * 3)) & 0x7);
            if (r > res ? digit != 7 : digit == 7) {
                return 0;
            }
        }
        return h;
    }

    /** Resolution of a valid cell. */
    public static int resolution(String cell) {
        return resolutionOf(Long.parseUnsignedLong(cell, 16));
    }

    private static int resolutionOf(long h) {
        return (int) ((h >>> 52) & 0xF);
    }
}
