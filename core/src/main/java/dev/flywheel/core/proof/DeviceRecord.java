package dev.flywheel.core.proof;

import dev.flywheel.core.crypto.SignatureScheme;

/**
 * What the registry knows of a device: its signing key, who owns its rewards, its state.
 *
 * @param owner  the EVM address (0x, lowercase) that receives this device's rewards
 * @param h3Cell the asserted location, or null when none is asserted
 */
public record DeviceRecord(String deviceId, SignatureScheme scheme, byte[] publicKey, String owner,
                           DeviceStatus status, String h3Cell) {
    public DeviceRecord {
        publicKey = publicKey.clone();
    }

    @Override
    public byte[] publicKey() {
        return publicKey.clone();
    }
}
