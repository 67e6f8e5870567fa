package dev.flywheel.core.reward;

import java.math.BigInteger;
import java.util.List;

/**
 * An epoch's split. {@code emission = sum(rewards.amount) + unallocated}, always exactly: the
 * truncation remainder is written down, never lost (as Helium records "unallocated").
 */
public record EpochRewards(long epoch, BigInteger emission, long totalUnits, List<DeviceReward> rewards,
                           BigInteger unallocated) {
    public EpochRewards {
        rewards = List.copyOf(rewards);
    }

    public BigInteger allocated() {
        return emission.subtract(unallocated);
    }
}
