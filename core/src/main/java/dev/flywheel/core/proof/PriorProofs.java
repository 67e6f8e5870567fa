package dev.flywheel.core.proof;

import java.util.Optional;

/** Port: a device's last accepted proof per type (the ledger keeps it). */
@FunctionalInterface
public interface PriorProofs {
    PriorProofs NONE = (deviceId, type) -> Optional.empty();

    Optional<PriorProof> last(String deviceId, String type);
}
