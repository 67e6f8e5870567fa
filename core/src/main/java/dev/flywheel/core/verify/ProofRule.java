package dev.flywheel.core.verify;

import dev.flywheel.core.proof.ProofBody;
import dev.flywheel.core.proof.ProofEnvelope;

import java.util.Optional;

/**
 * The physical-plausibility checks of one proof type, run after identity, time and signature
 * have passed. {@code prior} gives the device's previous accepted proof of the same type, for
 * checks across proofs (speed between fixes, monotonic counters, stuck values).
 */
public interface ProofRule<B extends ProofBody> {

    Class<B> bodyType();

    Optional<PlausibilityChecks.Failure> check(ProofEnvelope proof, B body, DeviceRecord device, Optional<PriorProof> prior);

    /** Whether {@link #check} looks at the prior proof; if not, the verifier skips fetching it. */
    default boolean needsPrior() {
        return false;
    }

    /** Reward units one accepted proof of this type earns. */
    default long workUnits(B body) {
        return 1;
    }
}
