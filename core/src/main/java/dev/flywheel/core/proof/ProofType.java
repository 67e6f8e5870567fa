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
}
