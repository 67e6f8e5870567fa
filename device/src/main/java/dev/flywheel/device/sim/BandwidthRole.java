package dev.flywheel.device.sim;

/**
 * How a simulated client takes part in {@code bandwidth.receipt} ({@link BandwidthFleet}). Not part of
 * {@link FleetMix}: a receipt needs a node and a client, so it runs as its own scenario.
 */
public enum BandwidthRole {
    /** A client of another owner that countersigns what it received: credited. */
    HONEST_CLIENT,
    /** A client owned by the node's owner, countersigning traffic that never flowed: {@code self_dealing}. */
    COLLUDING_CLIENT;

    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
