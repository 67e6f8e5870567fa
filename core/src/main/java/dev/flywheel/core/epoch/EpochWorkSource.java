package dev.flywheel.core.epoch;

import java.util.function.Consumer;

/**
 * Port: an epoch's verified work, streamed per device and split into disjoint segments so a close
 * can run on several workers. Read after {@link EpochLedger#beginClosing}, so nothing can still be
 * added to the epoch.
 */
public interface EpochWorkSource {

    /**
     * Calls {@code sink} once for every device with work in {@code epoch} that falls in segment
     * {@code segment} of {@code segments} (0-based). Over all segments each such device is
     * delivered exactly once, with all of its units.
     */
    void forEachDevice(long epoch, int segment, int segments, Consumer<DeviceWork> sink);
}
