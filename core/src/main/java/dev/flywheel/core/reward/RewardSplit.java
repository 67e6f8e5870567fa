package dev.flywheel.core.reward;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Splits an epoch's emission under one rules version, in exact integer arithmetic (docs/rewards.md):
 * <ol>
 *   <li>each cut and pool gets {@code floor(E * shareBps / 10000)}; the rest is {@code unassigned_share};</li>
 *   <li>in a pool, a device's weight is its units (times its density scale in ppb when the pool is scaled)
 *       and its share {@code floor(P * weight / W)}; the truncation is {@code rounding}, a pool nobody
 *       worked in is {@code empty_pool};</li>
 *   <li>a share above {@code capPerDevice} is cut to it ({@code device_cap}); an owner whose devices
 *       together pass {@code capPerOwner} has each device's share scaled by {@code cap / total},
 *       rounded down ({@code owner_cap}).</li>
 * </ol>
 * Devices must come sorted by id, each once; the result depends on nothing else.
 */
public final class RewardSplit {
    private RewardSplit() {
    }

    public static EpochAllocation split(long epoch, RewardRules rules, BigInteger emission, List<DeviceUnits> devices,
                                        Map<String, Long> scalePpb, SortedMap<String, Long> unpooledUnits) {
        if (emission.signum() < 0) {
            throw new IllegalArgumentException("emission must be >= 0");
        }
        int poolCount = rules.pools().size();
        boolean anyScaled = rules.pools().stream().anyMatch(RewardRules.Pool::densityScaled);
        BigInteger bps = BigInteger.valueOf(RewardRules.BPS);
        BigInteger assigned = BigInteger.ZERO;
        List<EpochAllocation.CutResult> cuts = new ArrayList<>();
        for (RewardRules.Cut c : rules.cuts()) {
            BigInteger amount = emission.multiply(BigInteger.valueOf(c.shareBps())).divide(bps);
            cuts.add(new EpochAllocation.CutResult(c.name(), c.account(), amount));
            assigned = assigned.add(amount);
        }
        int n = devices.size();
        long[] scale = new long[n];
        for (int i = 0; i < n; i++) {
            if (i > 0 && devices.get(i - 1).deviceId().compareTo(devices.get(i).deviceId()) >= 0) {
                throw new IllegalArgumentException("devices must be sorted by id and distinct: " + devices.get(i).deviceId());
            }
            scale[i] = anyScaled ? scalePpb.getOrDefault(devices.get(i).deviceId(), 0L) : -1;
        }
        BigInteger[][] amounts = new BigInteger[n][poolCount];
        SortedMap<String, BigInteger> total = new TreeMap<>();
        List<EpochAllocation.PoolResult> pools = new ArrayList<>();
        for (int p = 0; p < poolCount; p++) {
            RewardRules.Pool pool = rules.pools().get(p);
            BigInteger poolEmission = emission.multiply(BigInteger.valueOf(pool.shareBps())).divide(bps);
            assigned = assigned.add(poolEmission);
            long units = 0;
            BigInteger weight = BigInteger.ZERO;
            long[] w = new long[n];
            for (int i = 0; i < n; i++) {
                long u = devices.get(i).poolUnits()[p];
                units = Math.addExact(units, u);
                w[i] = pool.densityScaled() ? Math.multiplyExact(u, scale[i]) : u;
                weight = weight.add(BigInteger.valueOf(w[i]));
            }
            SortedMap<String, BigInteger> unallocated = new TreeMap<>();
            for (String reason : List.of(EpochAllocation.ROUNDING, EpochAllocation.EMPTY_POOL,
                    EpochAllocation.DEVICE_CAP, EpochAllocation.OWNER_CAP)) {
                unallocated.put(reason, BigInteger.ZERO);
            }
            BigInteger allocated = BigInteger.ZERO;
            if (weight.signum() == 0) {
                unallocated.put(EpochAllocation.EMPTY_POOL, poolEmission);
                for (int i = 0; i < n; i++) {
                    amounts[i][p] = BigInteger.ZERO;
                }
            } else {
                BigInteger share = BigInteger.ZERO;
                BigInteger deviceCapped = BigInteger.ZERO;
                for (int i = 0; i < n; i++) {
                    BigInteger a = w[i] == 0 ? BigInteger.ZERO : poolEmission.multiply(BigInteger.valueOf(w[i])).divide(weight);
                    share = share.add(a);
                    if (pool.capPerDevice() != null && a.compareTo(pool.capPerDevice()) > 0) {
                        deviceCapped = deviceCapped.add(a.subtract(pool.capPerDevice()));
                        a = pool.capPerDevice();
                    }
                    amounts[i][p] = a;
                }
                unallocated.put(EpochAllocation.ROUNDING, poolEmission.subtract(share));
                unallocated.put(EpochAllocation.DEVICE_CAP, deviceCapped);
                if (pool.capPerOwner() != null) {
                    unallocated.put(EpochAllocation.OWNER_CAP, capOwners(devices, amounts, p, pool.capPerOwner()));
                }
                for (int i = 0; i < n; i++) {
                    allocated = allocated.add(amounts[i][p]);
                }
            }
            unallocated.forEach((k, v) -> total.merge(k, v, BigInteger::add));
            pools.add(new EpochAllocation.PoolResult(pool.name(), poolEmission, units, weight, allocated, unallocated));
        }
        total.put(EpochAllocation.UNASSIGNED_SHARE, emission.subtract(assigned));
        List<EpochAllocation.DeviceAllocation> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            DeviceUnits d = devices.get(i);
            BigInteger sum = BigInteger.ZERO;
            for (BigInteger a : amounts[i]) {
                sum = sum.add(a);
            }
            out.add(new EpochAllocation.DeviceAllocation(d.deviceId(), d.owner(), d.rawUnits(), scale[i],
                    d.poolUnits(), amounts[i], sum));
        }
        return new EpochAllocation(epoch, rules, emission, pools, cuts, out, total, new TreeMap<>(unpooledUnits));
    }

    /** Scales down every owner above the cap; returns what that withheld. */
    private static BigInteger capOwners(List<DeviceUnits> devices, BigInteger[][] amounts, int p, BigInteger cap) {
        Map<String, BigInteger> byOwner = new HashMap<>();
        for (int i = 0; i < devices.size(); i++) {
            byOwner.merge(devices.get(i).owner(), amounts[i][p], BigInteger::add);
        }
        BigInteger withheld = BigInteger.ZERO;
        for (int i = 0; i < devices.size(); i++) {
            BigInteger ownerTotal = byOwner.get(devices.get(i).owner());
            if (ownerTotal.compareTo(cap) > 0) {
                BigInteger capped = amounts[i][p].multiply(cap).divide(ownerTotal);
                withheld = withheld.add(amounts[i][p].subtract(capped));
                amounts[i][p] = capped;
            }
        }
        return withheld;
    }
}
