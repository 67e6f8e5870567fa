package dev.flywheel.core.proof;


import java.time.Instant;

/**
 * What is remembered of a device's last accepted proof of a type.
 *
 * @param repeats how many consecutive accepted proofs of this type, just before this one, had exactly
 *                the same body (canonical form) as this one: 0 when the previous one differed. A run of
 *                k identical accepted bodies is remembered as the last of them with {@code repeats = k - 1}.
 */
public record PriorProof(long sequence, Instant deviceTime, Instant receivedAt, String h3Cell, ProofBody body, int repeats) {
    public PriorProof {
        if (repeats < 0) {
            throw new IllegalArgumentException("repeats must be >= 0");
        }
    }

    /** A prior proof that follows a different body ({@code repeats = 0}). */
    public PriorProof(long sequence, Instant deviceTime, Instant receivedAt, String h3Cell, ProofBody body) {
        this(sequence, deviceTime, receivedAt, h3Cell, body, 0);
    }
}
