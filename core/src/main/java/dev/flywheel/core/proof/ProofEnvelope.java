package dev.flywheel.core.proof;

import dev.flywheel.core.crypto.SignatureScheme;

import java.time.Instant;

/**
 * A parsed, well-formed proof as a device sent it (protocol v1). It is not yet trusted: the
 * verifier checks identity, signature, time and plausibility before anything is credited.
 *
 * @param signedBytes the RFC 8785 canonical bytes of the envelope without {@code sig}: what the device signed
 * @param proofId     hex SHA-256 of {@code signedBytes}; the same content always has the same id
 */
public record ProofEnvelope(
        int version,
        String deviceId,
        long sequence,
        Instant deviceTime,
        String h3Cell,
        ProofBody body,
        SignatureScheme scheme,
        byte[] signature,
        byte[] signedBytes,
        String proofId) {

    public static final int VERSION = 1;

    public String type() {
        return body.type();
    }
}
