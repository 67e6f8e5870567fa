package dev.flywheel.core.types.coverage;

import dev.flywheel.core.crypto.Encoding;

import java.nio.charset.StandardCharsets;

/**
 * The deterministic beacon content. A beaconer does not choose what it transmits:
 * <pre>
 * payload  = SHA-256( entropy (32 bytes, the published 64 hex digits decoded) || UTF-8(beaconer device id) )   -- 32 bytes
 * beaconId = lowercase hex SHA-256( payload )                                                                -- 64 hex digits
 * </pre>
 * The entropy is unknown until the network publishes it, so a beacon cannot be precomputed; the device id makes
 * every device's beacon for the same entropy different. Witnesses quote the beacon id (the hash of what they
 * heard), since they never see the beacon's signed envelope.
 */
public final class BeaconPayload {
    private BeaconPayload() {
    }

    public static byte[] derive(String entropyHex, String beaconerDeviceId) {
        byte[] entropy = Encoding.fromHex(entropyHex);
        if (entropy.length != 32) {
            throw new IllegalArgumentException("entropy must be 32 bytes");
        }
        byte[] id = beaconerDeviceId.getBytes(StandardCharsets.UTF_8);
        byte[] input = new byte[32 + id.length];
        System.arraycopy(entropy, 0, input, 0, 32);
        System.arraycopy(id, 0, input, 32, id.length);
        return Encoding.sha256(input);
    }

    /** The payload as the body carries it: unpadded base64url. */
    public static String deriveBase64Url(String entropyHex, String beaconerDeviceId) {
        return Encoding.base64Url(derive(entropyHex, beaconerDeviceId));
    }

    public static String beaconId(byte[] payload) {
        return Encoding.hex(Encoding.sha256(payload));
    }
}
