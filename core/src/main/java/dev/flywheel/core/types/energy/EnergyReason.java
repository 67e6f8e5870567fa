package dev.flywheel.core.types.energy;

import dev.flywheel.core.proof.RejectionReason;

import java.util.Locale;

/**
 * The reason codes of {@code energy.meter} beyond the generic {@link dev.flywheel.core.proof.ReasonCode}s, registered
 * through its proof type ({@code reasons()}); docs/reason-codes.md documents each. Wire values are stable: add new
 * ones, never rename.
 */
public enum EnergyReason implements RejectionReason {
    /** The cumulative energy counter went backwards (a reset, or a replayed older reading). */
    COUNTER_DECREASED,
    /** The energy implies an average power above the rated capacity (or the network's maximum). */
    POWER_ABOVE_CAPACITY,
    /** The interval starts before the previous accepted reading's interval ended. */
    OVERLAPPING_INTERVAL;

    @Override
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
