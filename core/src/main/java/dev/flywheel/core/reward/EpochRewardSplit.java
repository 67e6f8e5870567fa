package dev.flywheel.core.reward;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Splits an epoch's emission pro rata over verified work units, in exact integer arithmetic:
 * {@code amount = floor(emission * units / totalUnits)}. The result depends only on the set of
 * credits, not their order, so any re-run of a closed epoch reproduces it bit for bit.
 */
public final class EpochRewardSplit {
    private EpochRewardSplit() {
    }

    public static EpochRewards split(long epoch, BigInteger emission, Collection<WorkCredit> credits) {
        if (emission.signum() < 0) {
            throw new IllegalArgumentException("emission must be >= 0");
        }
        // Sum per device, ordered by id, so duplicates in the input and input order cannot matter.
        Map<String, WorkCredit> perDevice = new TreeMap<>();
        for (WorkCredit c : credits) {
            perDevice.merge(c.deviceId(), c, (a, b) -> {
                if (!a.owner().equals(b.owner())) {
                    throw new IllegalArgumentException("device " + a.deviceId() + " has two owners in one epoch");
                }
                return new WorkCredit(a.deviceId(), a.owner(), Math.addExact(a.units(), b.units()));
            });
        }
        long totalUnits = perDevice.values().stream().mapToLong(WorkCredit::units).reduce(0, Math::addExact);
        List<DeviceReward> rewards = new ArrayList<>(perDevice.size());
        BigInteger allocated = BigInteger.ZERO;
        if (totalUnits > 0) {
            BigInteger total = BigInteger.valueOf(totalUnits);
            for (WorkCredit c : perDevice.values()) {
                if (c.units() == 0) {
                    continue;
                }
                BigInteger amount = emission.multiply(BigInteger.valueOf(c.units())).divide(total);
                rewards.add(new DeviceReward(c.deviceId(), c.owner(), c.units(), amount));
                allocated = allocated.add(amount);
            }
        }
        return new EpochRewards(epoch, emission, totalUnits, rewards, emission.subtract(allocated));
    }
}
