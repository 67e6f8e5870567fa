package dev.flywheel.core.types.sensor;

import dev.flywheel.core.proof.RejectionReason;

import java.util.Locale;

/**
 * The reason codes of {@code sensor.reading} beyond the generic {@link dev.flywheel.core.proof.ReasonCode}s, registered
 * through its proof type ({@code reasons()}); docs/reason-codes.md documents each. Wire values are stable: add new
 * ones, never rename.
 */
public enum SensorReason implements RejectionReason {
    VALUE_OUT_OF_RANGE,
    /** The Nth identical sensor.reading in a row (default N = 12): a sensor stuck on one value. */
    STUCK_VALUE,
    /** A sensor.reading changed faster per minute than the metric can (against the previous reading). */
    RATE_OF_CHANGE,
    /** A sensor.reading too far from the median of at least 3 neighbours' recent readings (same H3 res-5 cell). */
    NEIGHBOUR_DISAGREEMENT;

    @Override
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
