package dev.flywheel.core.types.bandwidth;

import dev.flywheel.core.proof.DeviceRecord;

import java.util.Optional;
import java.util.OptionalLong;

/** Port: the registry as bandwidth receipts need it (the devices table in production). */
public interface BandwidthDirectory {

    /** The registry capability that declares a node's serving capacity: {@code bandwidth.<bytes per second>}. */
    String CAPACITY_PREFIX = "bandwidth.";

    /** The client's registered record (its key, owner and status). */
    Optional<DeviceRecord> client(String clientId);

    /** The node's declared capacity in bytes per second; empty when it declared none (then it can prove no bytes). */
    OptionalLong capacityBytesPerSecond(String nodeId);

    /** The capacity a {@code bandwidth.<n>} capability declares, or empty for any other capability. */
    static OptionalLong parseCapacity(String capability) {
        if (capability == null || !capability.startsWith(CAPACITY_PREFIX)) {
            return OptionalLong.empty();
        }
        String digits = capability.substring(CAPACITY_PREFIX.length());
        if (!digits.matches("[1-9][0-9]{0,17}")) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Long.parseLong(digits));
    }
}
