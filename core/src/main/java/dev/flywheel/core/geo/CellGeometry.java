package dev.flywheel.core.geo;

import com.uber.h3core.LengthUnit;

/** Geometry on H3 cells (15 lowercase hex digits) that more than one package needs: validity and distance. */
public final class CellGeometry {
    private CellGeometry() {
    }

    /** Structurally valid and accepted by the H3 library. */
    public static boolean isValidCell(String cell) {
        return H3Index.isValidCell(cell) && H3Native.get().isValidCell(cell);
    }

    /** Great-circle (haversine, H3's Earth radius) distance in metres between the two cells' centres. */
    public static double distanceMeters(String a, String b) {
        var h3 = H3Native.get();
        return h3.greatCircleDistance(h3.cellToLatLng(a), h3.cellToLatLng(b), LengthUnit.m);
    }
}
