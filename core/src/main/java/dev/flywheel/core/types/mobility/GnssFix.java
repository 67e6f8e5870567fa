package dev.flywheel.core.types.mobility;

/**
 * One GNSS fix of a {@link LocationTrace}, in the integer units receivers report (u-blox
 * UBX-NAV-PVT style), so the signed text is exact.
 *
 * @param timeMillis fix time, Unix milliseconds UTC
 * @param latE7      latitude in 1e-7 degrees, -900000000..900000000
 * @param lngE7      longitude in 1e-7 degrees, -1800000000..1800000000
 * @param hdopX10    horizontal dilution of precision times 10 (hdop 0.9 is 9)
 * @param satellites satellites used in the fix
 * @param fixType    the receiver's fix type token, e.g. {@code 3d}, {@code 2d}, {@code none}
 */
public record GnssFix(long timeMillis, int latE7, int lngE7, int hdopX10, int satellites, String fixType) {
    public static final String FIX_3D = "3d";

    /** Same place (to the last 1e-7 degree), whatever the time and quality. */
    public boolean samePosition(GnssFix other) {
        return latE7 == other.latE7 && lngE7 == other.lngE7;
    }
}
