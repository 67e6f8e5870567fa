package dev.flywheel.device.sim;

/**
 * How a simulated device takes part in proof of coverage ({@link CoverageFleet}). Not part of {@link FleetMix}:
 * coverage needs placement relative to a beaconer and network entropy, so it runs as its own scenario.
 */
public enum CoverageRole {
    /** Beacons once with fresh network entropy. */
    HONEST_BEACONER,
    /** Placed 2 to 6 km from the beaconer (far more than 8 res-11 cells, same region) and reports an RSSI well below
     *  what free space allows at that distance: valid. */
    HONEST_WITNESS,
    /** Placed a few km away but reports an RSSI far stronger than free space allows there: {@code rssi_too_strong}. */
    SPOOFED_RSSI,
    /** Part of a colluding cluster: placed tens of metres from the beaconer (fewer than 8 res-11 cells):
     *  {@code witness_too_close}. */
    COLLUDING;

    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
