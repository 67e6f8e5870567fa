package dev.flywheel.core.verify;

/**
 * Port: records each delivery's verdict exactly once. Implementations must make the replay
 * guard (device, sequence) and the credit one atomic write, so a proof is never credited twice
 * whatever the redelivery pattern, and must turn a lost guard race into a recorded rejection.
 */
public interface VerdictLedger {

    /** What happened to one delivery. */
    enum Outcome {
        /** First time this delivery was seen: its verdict (possibly turned into a replay rejection) was stored. */
        RECORDED,
        /** This delivery id was already recorded (SQS redelivery, Lambda retry): nothing written. */
        ALREADY_RECORDED
    }

    /**
     * @param stored the verdict as stored: a replayed Accepted comes back as Rejected. For
     *               ALREADY_RECORDED it is the verdict computed now, not re-read from storage.
     */
    record Recorded(Outcome outcome, Verdict stored, long epoch) {
    }

    Recorded record(InboundProof delivery, Verdict verdict);

    /**
     * Called once per batch before its deliveries are verified and recorded: a store may read what the batch will need
     * in one request (the devices' states) instead of one per delivery. Correctness must not depend on it.
     */
    default void prepare(java.util.List<InboundProof> batch) {
    }

    /**
     * Thrown by {@link #record} when the state the verdict was judged against changed before it could be written (a
     * concurrent batch recorded another proof of the device first): nothing was written, and the delivery must be
     * judged again against the new state. The caller may do that at once instead of waiting for a redelivery.
     */
    class StaleVerdictException extends RuntimeException {
        public StaleVerdictException(String message) {
            super(message);
        }
    }
}
