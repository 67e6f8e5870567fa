package dev.flywheel.core.types.mobility;

import dev.flywheel.core.proof.RejectionReason;

import java.util.Locale;

/**
 * The reason codes of {@code mobility.trace} beyond the generic {@link dev.flywheel.core.proof.ReasonCode}s, registered
 * through its proof type ({@code reasons()}); docs/reason-codes.md documents each. Wire values are stable: add new
 * ones, never rename.
 */
public enum MobilityReason implements RejectionReason {
    /** A fix is not good enough to prove a position: hdop too high, too few satellites, not a 3D fix. */
    GNSS_QUALITY,
    /** Two consecutive fixes of one trace imply a speed above the network's limit. */
    SPEED_IMPLAUSIBLE,
    /** The trace's first fix is too far from the previous trace's last fix for the time between them. */
    TELEPORT,
    /** The trace repeats the previous trace's positions, or stands frozen on one position: replayed or synthetic. */
    REPEATED_TRACE,
    /** The trace starts before the previous accepted trace ended. */
    TRACE_OUT_OF_ORDER;

    @Override
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
