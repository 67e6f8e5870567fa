package dev.flywheel.core.proof;


/** The payload is not a well-formed v1 proof; carries the reason code to record. */
public final class MalformedProofException extends Exception {
    private final ReasonCode reason;

    public MalformedProofException(ReasonCode reason, String detail) {
        super(detail, null, false, false);
        this.reason = reason;
    }

    public ReasonCode reason() {
        return reason;
    }
}
