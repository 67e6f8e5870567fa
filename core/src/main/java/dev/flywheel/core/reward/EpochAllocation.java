package dev.flywheel.core.reward;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An epoch's complete split under one rules version: every pool's inputs and outcome, every cut,
 * every device's allocation, and what stayed unallocated by reason. Per pool and in total,
 * allocated + unallocated = emission exactly.
 */
public record EpochAllocation(long epoch, RewardRules rules, BigInteger emission, List<PoolResult> pools,
                              List<CutResult> cuts, List<DeviceAllocation> devices,
                              SortedMap<String, BigInteger> unallocatedByReason, SortedMap<String, Long> unpooledUnits) {

    /** Unallocated reasons. */
    public static final String ROUNDING = "rounding";
    public static final String EMPTY_POOL = "empty_pool";
    public static final String DEVICE_CAP = "device_cap";
    public static final String OWNER_CAP = "owner_cap";
    public static final String UNASSIGNED_SHARE = "unassigned_share";

    /**
     * @param units  the pool's weighted units summed over devices (before density scaling)
     * @param weight the sum of the devices' scaled weights that the pool is divided by
     */
    public record PoolResult(String name, BigInteger emission, long units, BigInteger weight, BigInteger allocated,
                             SortedMap<String, BigInteger> unallocated) {
    }

    public record CutResult(String name, String account, BigInteger amount) {
    }

    /**
     * @param scalePpb density scale in parts per billion, or -1 when no pool of the rules is scaled
     */
    public record DeviceAllocation(String deviceId, String owner, long rawUnits, long scalePpb, long[] poolUnits,
                                   BigInteger[] poolAmounts, BigInteger amount) {
    }

    public BigInteger allocated() {
        return emission.subtract(unallocated());
    }

    public BigInteger unallocated() {
        return unallocatedByReason.values().stream().reduce(BigInteger.ZERO, BigInteger::add);
    }

    public long totalUnits() {
        long total = 0;
        for (DeviceAllocation d : devices) {
            total = Math.addExact(total, d.rawUnits());
        }
        return total;
    }

    /** The shape the ledger stores per device (one total per device). */
    public EpochRewards rewards() {
        List<DeviceReward> rewards = new ArrayList<>(devices.size());
        for (DeviceAllocation d : devices) {
            rewards.add(new DeviceReward(d.deviceId(), d.owner(), d.rawUnits(), d.amount()));
        }
        return new EpochRewards(epoch, emission, totalUnits(), rewards, unallocated());
    }

    /** What each account earns this epoch: device totals by owner, plus cuts. */
    public SortedMap<String, BigInteger> byAccount() {
        // Summed in a hash map, sorted once: a million merges into a TreeMap were a sixth of a million-device close.
        Map<String, BigInteger> sums = new java.util.HashMap<>();
        for (DeviceAllocation d : devices) {
            if (d.amount().signum() > 0) {
                sums.merge(d.owner(), d.amount(), BigInteger::add);
            }
        }
        for (CutResult c : cuts) {
            if (c.amount().signum() > 0) {
                sums.merge(c.account(), c.amount(), BigInteger::add);
            }
        }
        return new TreeMap<>(sums);
    }
}
