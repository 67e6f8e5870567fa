package dev.flywheel.core.types.coverage;

import java.util.Optional;

/**
 * Port: the radio region (frequency plan, e.g. {@code EU868}, {@code US915}) of an asserted location. A beacon
 * whose location has no region is rejected ({@code region_unknown}); a witness in another region than the beacon
 * is rejected ({@code region_mismatch}). Production networks plug in a real region map (polygons per plan).
 */
@FunctionalInterface
public interface RegionResolver {

    /** @param h3Cell a valid asserted cell */
    Optional<String> regionOf(String h3Cell);

    /**
     * The coarse default: the region is the cell's H3 parent at {@code res} (res 3: about 12 000 km^2). Two
     * devices a few km apart on either side of a parent boundary are in different "regions", so this is a
     * stand-in for a real region map, not a substitute.
     */
    static RegionResolver h3Parent(int res) {
        if (res < 0 || res > 15) {
            throw new IllegalArgumentException("resolution 0..15: " + res);
        }
        return cell -> Optional.of("h3r" + res + ":" + CoverageGeo.parent(cell, res));
    }

    /** Every location is in one region (a network on a single frequency plan). */
    static RegionResolver single(String region) {
        return cell -> Optional.of(region);
    }
}
