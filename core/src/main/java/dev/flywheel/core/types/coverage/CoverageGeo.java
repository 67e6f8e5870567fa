package dev.flywheel.core.types.coverage;

import com.uber.h3core.H3Core;
import com.uber.h3core.exceptions.H3Exception;
import dev.flywheel.core.geo.CellGeometry;
import dev.flywheel.core.geo.H3Native;

import java.util.OptionalLong;

/**
 * The geometry the coverage checks need, on asserted H3 cells (15 lowercase hex digits):
 * grid distance at a fixed resolution, great-circle distance between cell centres, free-space path loss.
 */
public final class CoverageGeo {
    /** {@code 20 log10(4 pi / c)} with c = 299 792 458 m/s, rounded as the usual FSPL formula writes it. */
    public static final double FSPL_CONSTANT_DB = -147.55;

    private CoverageGeo() {
    }

    static H3Core h3() {
        return H3Native.get();
    }

    /** The cell containing a point, as 15 lowercase hex digits (for simulators and tests placing devices). */
    public static String cellAt(double lat, double lng, int res) {
        return h3().latLngToCellAddress(lat, lng, res);
    }

    /** A cell's centre as {latitude, longitude} in degrees. */
    public static double[] centre(String cell) {
        var ll = h3().cellToLatLng(cell);
        return new double[] {ll.lat, ll.lng};
    }

    /** Structurally valid and accepted by the H3 library. */
    public static boolean isValidCell(String cell) {
        return CellGeometry.isValidCell(cell);
    }

    /** The cell at {@code res}: its parent when finer, its centre child when coarser. */
    public static long atResolution(String cell, int res) {
        long h = h3().stringToH3(cell);
        int r = h3().getResolution(h);
        return r == res ? h : r > res ? h3().cellToParent(h, res) : h3().cellToCenterChild(h, res);
    }

    /** Grid distance in cells at {@code res}; empty when H3 cannot compute it (pentagon distortion, very far apart). */
    public static OptionalLong gridDistance(String a, String b, int res) {
        try {
            return OptionalLong.of(h3().gridDistance(atResolution(a, res), atResolution(b, res)));
        } catch (H3Exception e) {
            return OptionalLong.empty();
        }
    }

    /** Great-circle (haversine, H3's Earth radius) distance in metres between the two cells' centres. */
    public static double distanceMeters(String a, String b) {
        return CellGeometry.distanceMeters(a, b);
    }

    /** Free-space path loss in dB: {@code 20 log10(d_m) + 20 log10(f_Hz) - 147.55}; distances under 1 m count as 1 m. */
    public static double fsplDb(double distanceMeters, long frequencyHz) {
        return 20 * Math.log10(Math.max(1.0, distanceMeters)) + 20 * Math.log10(frequencyHz) + FSPL_CONSTANT_DB;
    }

    /** The H3 parent of a cell at {@code res}, as 15 hex digits (the cell itself when it is coarser). */
    public static String parent(String cell, int res) {
        long h = h3().stringToH3(cell);
        return h3().getResolution(h) <= res ? cell : h3().h3ToString(h3().cellToParent(h, res));
    }
}
