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
     * One device's share: its amount per pool (indexed like the rules' pools) and in total. Held in longs when
     * they fit, as they do for any realistic emission: a million devices with a BigInteger per pool amount made
     * the garbage collector a large part of a close. {@link #poolAmounts()} and {@link #amount()} give the exact
     * values either way.
     */
    public static final class DeviceAllocation {
        private final String deviceId;
        private final String owner;
        private final long rawUnits;
        private final long scalePpb;
        private final long[] poolUnits;
        private final long[] small; // per pool, when every amount and the total fit in a long; else null
        private final long smallAmount;
        private final BigInteger[] wide; // per pool, when small is null
        private final BigInteger wideAmount;

        /**
         * @param scalePpb density scale in parts per billion, or -1 when no pool of the rules is scaled
         */
        public DeviceAllocation(String deviceId, String owner, long rawUnits, long scalePpb, long[] poolUnits,
                                BigInteger[] poolAmounts, BigInteger amount) {
            this.deviceId = deviceId;
            this.owner = owner;
            this.rawUnits = rawUnits;
            this.scalePpb = scalePpb;
            this.poolUnits = poolUnits;
            this.small = null;
            this.smallAmount = 0;
            this.wide = poolAmounts;
            this.wideAmount = amount;
        }

        /** Amounts in longs: {@code amount} is the sum of {@code poolAmounts}, which fits. */
        DeviceAllocation(String deviceId, String owner, long rawUnits, long scalePpb, long[] poolUnits,
                         long[] poolAmounts, long amount) {
            this.deviceId = deviceId;
            this.owner = owner;
            this.rawUnits = rawUnits;
            this.scalePpb = scalePpb;
            this.poolUnits = poolUnits;
            this.small = poolAmounts;
            this.smallAmount = amount;
            this.wide = null;
            this.wideAmount = null;
        }

        public String deviceId() {
            return deviceId;
        }

        public String owner() {
            return owner;
        }

        public long rawUnits() {
            return rawUnits;
        }

        public long scalePpb() {
            return scalePpb;
        }

        /** Weighted units per pool (the array itself: do not change it). */
        public long[] poolUnits() {
            return poolUnits;
        }

        /** The device's amount in each pool, indexed like the rules' pools (a fresh array). */
        public BigInteger[] poolAmounts() {
            if (wide != null) {
                return wide.clone();
            }
            BigInteger[] out = new BigInteger[small.length];
            for (int p = 0; p < out.length; p++) {
                out[p] = BigInteger.valueOf(small[p]);
            }
            return out;
        }

        /** The device's amount in pool {@code p}. */
        public BigInteger poolAmount(int p) {
            return wide != null ? wide[p] : BigInteger.valueOf(small[p]);
        }

        /** Whether the device has an amount other than zero in pool {@code p}. */
        public boolean hasPoolAmount(int p) {
            return wide != null ? wide[p].signum() != 0 : small[p] != 0;
        }

        /** The device's total over all pools. */
        public BigInteger amount() {
            return wide != null ? wideAmount : BigInteger.valueOf(smallAmount);
        }

        /** Adds the total to {@code sum} without a BigInteger when it fits in a long. */
        void addAmountTo(Wide.Sum sum) {
            if (wide != null) {
                sum.add(wideAmount);
            } else {
                sum.add(smallAmount);
            }
        }

        boolean hasAmount() {
            return wide != null ? wideAmount.signum() > 0 : smallAmount > 0;
        }

        @Override
        public String toString() {
            return "DeviceAllocation[deviceId=" + deviceId + ", owner=" + owner + ", rawUnits=" + rawUnits + ", scalePpb="
                    + scalePpb + ", poolUnits=" + java.util.Arrays.toString(poolUnits) + ", poolAmounts="
                    + java.util.Arrays.toString(poolAmounts()) + ", amount=" + amount() + "]";
        }
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
        // Summed in a hash map, in longs while they fit (a BigInteger per merge was most of it), sorted once: a
        // million merges into a TreeMap were a sixth of a million-device close.
        Map<String, Wide.Sum> sums = new java.util.HashMap<>();
        for (DeviceAllocation d : devices) {
            if (d.hasAmount()) {
                d.addAmountTo(sums.computeIfAbsent(d.owner(), k -> new Wide.Sum()));
            }
        }
        for (CutResult c : cuts) {
            if (c.amount().signum() > 0) {
                sums.computeIfAbsent(c.account(), k -> new Wide.Sum()).add(c.amount());
            }
        }
        String[] accounts = sums.keySet().toArray(new String[0]);
        java.util.Arrays.sort(accounts);
        TreeMap<String, BigInteger> out = new TreeMap<>();
        for (String account : accounts) {
            out.put(account, sums.get(account).value());
        }
        return out;
    }
}
