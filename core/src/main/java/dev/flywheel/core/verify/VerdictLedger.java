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
}
