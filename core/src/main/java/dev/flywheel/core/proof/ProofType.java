package dev.flywheel.core.proof;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Optional;

/**
 * One kind of proof a network can accept, everything about it in one place: its wire {@code type}, how its body is
 * read and written, and its checks and reward units ({@link #rule}). An implementation lives in its own package under
 * {@code core/types/<name>/} and is registered with one line in
 * {@code META-INF/services/dev.flywheel.core.proof.ProofType}; {@link ProofTypes} finds it there (docs/proof-types.md).
 */
public interface ProofType<B extends ProofBody> {

    String wireType();

    Class<B> bodyType();

    /** Strict: unknown members and mistyped values are {@link MalformedProofException}s. */
    B decode(ObjectNode body) throws MalformedProofException;

    ObjectNode encode(B body);

    /**
     * Whether a device proving this type stays at its asserted location, so that the envelope's {@code loc.h3}
     * must lie near the device's asserted cell ({@code location_mismatch} otherwise). True by default; false for
     * types whose devices move ({@code mobility.trace}).
     */
    default boolean stationary() {
        return true;
    }

    /**
     * This type's checks with its default limits, built with the ports it declares (storage across proofs), or empty
     * when {@code ports} lacks one it needs: the network then cannot verify this type and answers
     * {@code unknown_proof_type}.
     */
    Optional<? extends ProofRule<B>> rule(TypePorts ports);

    /**
     * This type's own reason codes: an enum in its package (wire values unique across every registered type and the
     * generic {@link ReasonCode}s, each documented in docs/reason-codes.md). None by default: a type that rejects only
     * with generic codes declares nothing.
     */
    default List<? extends RejectionReason> reasons() {
        return List.of();
    }
}
