package dev.flywheel.dynamodb;

import dev.flywheel.core.proof.DeviceRecord;

import java.time.Instant;

/**
 * Everything the registry holds about a device beyond what the verifier reads ({@link DeviceRecord}):
 * who made it, its IoT identity, its nonces and its current location details.
 *
 * @param ownerNonce        nonce of the last accepted owner binding (1 after registration)
 * @param locationNonce     nonce of the last accepted location assertion (0 = never asserted)
 * @param locationAssertedAt when the current location was asserted, or null
 * @param statusReason      why the status was last changed (operator's words), or null
 */
public record OnboardedDevice(DeviceRecord device, String maker, Instant registeredAt,
                              String thingArn, String certificateId, String certificateArn,
                              long ownerNonce, long locationNonce, Instant locationAssertedAt,
                              Integer antennaGainDeciDbi, Integer elevationMeters,
                              String statusReason, long statusVersion) {
}
