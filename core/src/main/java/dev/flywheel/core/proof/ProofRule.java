package dev.flywheel.core.proof;


import java.util.Optional;

/**
 * The physical-plausibility checks of one proof type, run after identity, time and signature
 * have passed. {@code prior} gives the device's previous accepted proof of the same type, for
 * checks across proofs (speed between fixes, monotonic counters, stuck values).
 */
public interface ProofRule<B extends ProofBody> {

    Class<B> bodyType();

    Optional<PlausibilityChecks.Failure> check(ProofEnvelope proof, B body, DeviceRecord device, Optional<PriorProof> prior);

    /**
     * As {@link #check(ProofEnvelope, ProofBody, DeviceRecord, Optional)}, with the server receive time of the
     * delivery ({@code InboundProof.receivedAt()}, never the device clock). The verifier calls this one; rules that
     * judge time against the server clock (entropy age, beacon intervals) override it. The default ignores it.
     */
    default Optional<PlausibilityChecks.Failure> check(ProofEnvelope proof, B body, DeviceRecord device,
                                                       Optional<PriorProof> prior, java.time.Instant receivedAt) {
        return check(proof, body, device, prior);
    }

    /** Whether {@link #check} looks at the prior proof; if not, the verifier skips fetching it. */
    default boolean needsPrior() {
        return false;
    }

    /** Reward units one accepted proof of this type earns. */
    default long workUnits(B body) {
        return 1;
    }
}
