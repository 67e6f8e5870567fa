package dev.flywheel.core.verify;

import dev.flywheel.core.proof.DeviceRecord;

import java.util.Collection;
import java.util.Optional;

/** Port: looks up registered devices (DynamoDB in production, a cache in front of it in the verifier). */
@FunctionalInterface
public interface DeviceDirectory {
    Optional<DeviceRecord> find(String deviceId);

    /**
     * A hint that {@link #find} will be asked for these devices soon (a batch's devices): a store may read them together.
     * Only an optimisation; {@link #find} stays the answer.
     */
    default void prefetch(Collection<String> deviceIds) {
    }
}
