package dev.flywheel.core.types.uptime;

import dev.flywheel.core.proof.RejectionReason;

import java.util.Locale;

/**
 * The reason codes of {@code uptime.response} beyond the generic {@link dev.flywheel.core.proof.ReasonCode}s, registered
 * through its proof type ({@code reasons()}); docs/reason-codes.md documents each. Wire values are stable: add new
 * ones, never rename.
 */
public enum UptimeReason implements RejectionReason {
    /** The answered challenge was never issued (or has expired from the challenge store). */
    CHALLENGE_UNKNOWN,
    /** The challenge was issued to another device. */
    CHALLENGE_NOT_FOR_DEVICE,
    /** The answer arrived after the challenge's deadline (server receive time). */
    CHALLENGE_EXPIRED,
    /** The response differs from the answer the network expected (it knew the served data's digest). */
    CHALLENGE_RESPONSE_MISMATCH,
    /** Another proof already answered this challenge: one answer per challenge. */
    CHALLENGE_ALREADY_ANSWERED;

    @Override
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
