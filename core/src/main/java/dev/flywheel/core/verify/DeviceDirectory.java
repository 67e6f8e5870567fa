package dev.flywheel.core.verify;

import dev.flywheel.core.proof.DeviceRecord;
import java.util.Optional;

/** Port: looks up registered devices (DynamoDB in production, a cache in front of it in the verifier). */
@FunctionalInterface
public interface DeviceDirectory {
    Optional<DeviceRecord> find(String deviceId);
}
