package dev.flywheel.core.epoch;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One device's verified work in one epoch, summed per reward pool (the pool a proof type's
 * credits go to, e.g. {@code sensor.reading} or {@code coverage}). The closer holds one of these
 * per device, never one per proof.
 */
public record DeviceWork(String deviceId, String owner, SortedMap<String, Long> unitsByPool) {
    public DeviceWork {
        unitsByPool = Collections.unmodifiableSortedMap(new TreeMap<>(unitsByPool));
        for (var e : unitsByPool.entrySet()) {
            if (e.getValue() < 0) {
                throw new IllegalArgumentException("units must be >= 0 in pool " + e.getKey());
            }
        }
    }

    public long totalUnits() {
        return unitsByPool.values().stream().mapToLong(Long::longValue).reduce(0, Math::addExact);
    }
}
