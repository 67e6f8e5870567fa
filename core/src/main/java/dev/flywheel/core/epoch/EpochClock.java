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
        Duration elapsed = Duration.between(genesis, t);
        // Floor to whole milliseconds. Duration.toMillis() truncates toward zero, which would put an
        // instant less than 1 ms before a boundary at or below genesis into the following epoch.
        long elapsedMillis = Math.addExact(Math.multiplyExact(elapsed.getSeconds(), 1000L), elapsed.getNano() / 1_000_000);
        return Math.floorDiv(elapsedMillis, length.toMillis());
    }

    public Instant start(long epoch) {
        return genesis.plusMillis(Math.multiplyExact(epoch, length.toMillis()));
    }

    public Instant end(long epoch) {
        return start(epoch + 1);
    }
}
