package dev.flywheel.core.epoch;

import java.time.Duration;
import java.time.Instant;

/** Numbers epochs from a genesis instant; an epoch covers [start, end) of server receive time. */
public record EpochClock(Instant genesis, Duration length) {
    public EpochClock {
        if (length.isZero() || length.isNegative()) {
            throw new IllegalArgumentException("epoch length must be positive");
        }
        // Epochs are counted in whole milliseconds: a fraction would divide by zero or drift.
        if (length.getNano() % 1_000_000 != 0) {
            throw new IllegalArgumentException("epoch length must be a whole number of milliseconds");
        }
    }

    public long epochOf(Instant t) {
        return Math.floorDiv(Duration.between(genesis, t).toMillis(), length.toMillis());
    }

    public Instant start(long epoch) {
        return genesis.plusMillis(Math.multiplyExact(epoch, length.toMillis()));
    }

    public Instant end(long epoch) {
        return start(epoch + 1);
    }
}
