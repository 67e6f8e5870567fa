package dev.flywheel.core.types.bandwidth;

import dev.flywheel.core.proof.RejectionReason;

import java.util.Locale;

/**
 * The reason codes of {@code bandwidth.receipt} beyond the generic {@link dev.flywheel.core.proof.ReasonCode}s, registered
 * through its proof type ({@code reasons()}); docs/reason-codes.md documents each. Wire values are stable: add new
 * ones, never rename.
 */
public enum BandwidthReason implements RejectionReason {
    /** The receipt arrived more than the receipt age limit (default 1 h) after its window ended. */
    RECEIPT_EXPIRED,
    /** The client is the node itself, or client and node have the same owner. */
    SELF_DEALING,
    /** The receipt's client is not a registered, active device. */
    CLIENT_UNKNOWN,
    /** The client's countersignature does not verify with the client's registered key. */
    BAD_CLIENT_SIGNATURE,
    /** The bytes exceed what the node's declared capacity (bytes per second) allows over the window. */
    BANDWIDTH_ABOVE_CAPACITY,
    /** The client's session nonce was already credited (one credit per client and session). */
    SESSION_REUSED,
    /** The client-node pair would pass its per-period byte cap. */
    PAIR_CAP_EXCEEDED,
    /** The client would pass its per-period byte cap over all nodes. */
    CLIENT_CAP_EXCEEDED,
    /** The node's own log count and the client's receipt disagree by more than the tolerance (both reported). */
    LOG_MISMATCH;

    @Override
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
