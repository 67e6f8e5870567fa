package dev.flywheel.core.epoch;

import java.math.BigInteger;

/** Tokens (smallest unit) scheduled for an epoch; the network configuration's steps implement it. */
@FunctionalInterface
public interface EmissionSchedule {
    BigInteger emissionFor(long epoch);

    static EmissionSchedule constant(BigInteger perEpoch) {
        return epoch -> perEpoch;
    }
}
