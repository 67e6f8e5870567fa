package dev.flywheel.core.epoch;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** Per-epoch device work in memory; a device's segment is a hash of its id, as a real store would shard. */
final class InMemoryWorkSource implements EpochWorkSource {
    final Map<Long, List<DeviceWork>> byEpoch = new HashMap<>();

    InMemoryWorkSource put(long epoch, DeviceWork w) {
        byEpoch.computeIfAbsent(epoch, e -> new ArrayList<>()).add(w);
        return this;
    }

    @Override
    public void forEachDevice(long epoch, int segment, int segments, Consumer<DeviceWork> sink) {
        for (DeviceWork w : byEpoch.getOrDefault(epoch, List.of())) {
            if (Math.floorMod(w.deviceId().hashCode(), segments) == segment) {
                sink.accept(w);
            }
        }
    }
}
