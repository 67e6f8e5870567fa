package dev.flywheel.core.verify;

import dev.flywheel.core.proof.ProofBody;

import java.time.Instant;

/** What is remembered of a device's last accepted proof of a type. */
public record PriorProof(long sequence, Instant deviceTime, Instant receivedAt, String h3Cell, ProofBody body) {
}
