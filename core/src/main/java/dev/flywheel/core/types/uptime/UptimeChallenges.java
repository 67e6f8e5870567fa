package dev.flywheel.core.types.uptime;

import dev.flywheel.core.crypto.Encoding;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Challenge derivation: {@code SHA-256(entropy (32 bytes) || uint64_be(period) || UTF-8(deviceId))}, as
 * 64 lowercase hex digits. It depends on the network entropy of the period, so nobody can know a node's
 * challenge before that entropy is published, and it differs per node. (A network may also issue random
 * challenges; the rule only needs them recorded through {@link ChallengeLookup}.)
 */
public final class UptimeChallenges {
    private UptimeChallenges() {
    }

    public static String derive(String entropyHex, long period, String deviceId) {
        byte[] entropy = Encoding.fromHex(entropyHex);
        if (entropy.length != 32) {
            throw new IllegalArgumentException("entropy must be 32 bytes");
        }
        byte[] id = deviceId.getBytes(StandardCharsets.UTF_8);
        byte[] input = ByteBuffer.allocate(32 + 8 + id.length).put(entropy).putLong(period).put(id).array();
        return Encoding.hex(Encoding.sha256(input));
    }

    /** The response for a served-data digest: {@code SHA-256(challenge bytes || digest)}, lowercase hex. */
    public static String response(String challengeHex, byte[] servedDataDigest) {
        byte[] challenge = Encoding.fromHex(challengeHex);
        return Encoding.hex(Encoding.sha256(ByteBuffer.allocate(challenge.length + servedDataDigest.length)
                .put(challenge).put(servedDataDigest).array()));
    }
}
