package dev.flywheel.core.verify;

import java.time.Instant;

/**
 * Port: what a proof type keeps about its accepted proofs beyond the generic ledger's per-device state (coverage reports
 * waiting for their window, the sensor neighbour index). The ledger calls every store after it recorded an acceptance,
 * and again when a redelivery of that delivery arrives (a crash may have come between the two), so a store must be
 * idempotent and ignore the proof types it does not keep.
 */
@FunctionalInterface
public interface AcceptedProofStore {
    void accepted(Verdict.Accepted accepted, Instant receivedAt);
}
