package dev.flywheel.core.proof;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One kind of proof a network can accept: its wire {@code type}, and how its body is read and
 * written. Its checks live beside it as a {@link dev.flywheel.core.verify.ProofRule}.
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
}
