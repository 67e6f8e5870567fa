package dev.flywheel.core.proof;

/**
 * The type-specific part of a proof. Each proof type (one package under {@code core/types/}) defines its body record
 * and registers its {@link ProofType}; each network configuration enables the types it rewards.
 */
public interface ProofBody {

    /** The wire value of the envelope's {@code type} member. */
    String type();
}
