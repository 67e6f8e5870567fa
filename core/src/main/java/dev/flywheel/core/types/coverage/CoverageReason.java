package dev.flywheel.core.types.coverage;

import dev.flywheel.core.proof.RejectionReason;

import java.util.Locale;

/**
 * The reason codes of {@code coverage.beacon / coverage.witness} beyond the generic {@link dev.flywheel.core.proof.ReasonCode}s, registered
 * through its proof type ({@code reasons()}); docs/reason-codes.md documents each. Wire values are stable: add new
 * ones, never rename.
 */
public enum CoverageReason implements RejectionReason {
    /** The device (beaconer or witness) has no valid asserted H3 location. */
    LOCATION_NOT_ASSERTED,
    /** The asserted location resolves to no radio region (RegionResolver). */
    REGION_UNKNOWN,
    /** The device's previous accepted beacon arrived less than the beacon interval (6 h) earlier. */
    BEACON_TOO_FREQUENT,
    /** The beacon payload/id is not the one derived from entropy and device id, or a witness reports other bytes. */
    PAYLOAD_MISMATCH,
    /** A witness references a beacon that was never accepted (window closed without it). */
    BEACON_NOT_FOUND,
    /** The same witness device already reported this beacon (earlier arrival wins). */
    DUPLICATE_WITNESS,
    /** The beaconer/witness pair is banned by the operator. */
    BANNED_PAIR,
    /** A device witnessed its own beacon. */
    SELF_WITNESS,
    /** The witness arrived more than 4000 ms after the beacon or 1500 ms after the first witness. */
    WITNESS_TOO_LATE,
    /** The witness frequency differs from the beacon's by more than 100 kHz. */
    FREQUENCY_MISMATCH,
    /** Beaconer and witness are asserted in different radio regions. */
    REGION_MISMATCH,
    /** Fewer than 8 H3 resolution-11 cells between beaconer and witness. */
    WITNESS_TOO_CLOSE,
    /** More than 100 km between beaconer and witness. */
    WITNESS_TOO_FAR,
    /** The witness RSSI is stronger than free-space path loss allows for the distance. */
    RSSI_TOO_STRONG,
    /** No valid opposite report in the reciprocity window (48 h): beaconer never witnessed / witness never beaconed. */
    NO_RECIPROCITY,
    /** Valid witness past the first 14 by arrival: kept, not rewarded (a flag, not a rejection). */
    WITNESS_CAP_EXCEEDED;

    @Override
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
