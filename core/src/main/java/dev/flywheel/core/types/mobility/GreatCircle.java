package dev.flywheel.core.types.mobility;


/** Haversine distance on a sphere of the Earth's mean radius: within 0.5 % of the ellipsoid, ample for speed limits. */
public final class GreatCircle {
    /** IUGG mean Earth radius R1, metres. */
    public static final double EARTH_RADIUS_METERS = 6_371_008.8;
    private static final double E7_TO_RAD = Math.PI / 180 / 1e7;

    private GreatCircle() {
    }

    public static double meters(int latE7a, int lngE7a, int latE7b, int lngE7b) {
        double phi1 = latE7a * E7_TO_RAD;
        double phi2 = latE7b * E7_TO_RAD;
        double dPhi = (latE7b - (long) latE7a) * E7_TO_RAD;
        double dLambda = (lngE7b - (long) lngE7a) * E7_TO_RAD;
        double s1 = Math.sin(dPhi / 2);
        double s2 = Math.sin(dLambda / 2);
        double h = s1 * s1 + Math.cos(phi1) * Math.cos(phi2) * s2 * s2;
        return 2 * EARTH_RADIUS_METERS * Math.asin(Math.min(1, Math.sqrt(h)));
    }

    public static double meters(GnssFix a, GnssFix b) {
        return meters(a.latE7(), a.lngE7(), b.latE7(), b.lngE7());
    }
}
