package dev.flywheel.core.reward;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.IntStream;

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
        long[] scale = new long[devices.size()];
        for (int i = 0; i < scale.length; i++) {
            scale[i] = scalePpb.getOrDefault(devices.get(i).deviceId(), 0L);
        }
        return split(epoch, rules, emission, devices, scale, unpooledUnits);
    }

    /**
     * @param scalePpb each device's density scale in ppb, indexed like {@code devices} (0 for a device without a
     *                 usable cell); not read when no pool is density-scaled
     */
    public static EpochAllocation split(long epoch, RewardRules rules, BigInteger emission, List<DeviceUnits> devices,
                                        long[] scalePpb, SortedMap<String, Long> unpooledUnits) {
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
            scale[i] = anyScaled ? scalePpb[i] : -1;
        }
        // Per pool, the devices' amounts: in longs (small) when the pool's shares all fit, else in BigIntegers (wide).
        long[][] small = new long[poolCount][];
        BigInteger[][] wide = new BigInteger[poolCount][];
        SortedMap<String, BigInteger> total = new TreeMap<>();
        List<EpochAllocation.PoolResult> pools = new ArrayList<>();
        BigInteger[] poolEmission = new BigInteger[poolCount];
        for (int p = 0; p < poolCount; p++) {
            poolEmission[p] = emission.multiply(BigInteger.valueOf(rules.pools().get(p).shareBps())).divide(bps);
            assigned = assigned.add(poolEmission[p]);
        }
        // Pools are independent: split in parallel, each into its own slots, then taken in order. A failure is
        // rethrown as the first failing pool's, as a loop over the pools would.
        EpochAllocation.PoolResult[] results = new EpochAllocation.PoolResult[poolCount];
        RuntimeException[] failures = new RuntimeException[poolCount];
        IntStream.range(0, poolCount).parallel().forEach(p -> {
            try {
                results[p] = splitPool(rules.pools().get(p), p, poolEmission[p], devices, scale, small, wide);
            } catch (RuntimeException e) {
                failures[p] = e;
            }
        });
        for (int p = 0; p < poolCount; p++) {
            if (failures[p] != null) {
                throw failures[p];
            }
            results[p].unallocated().forEach((k, v) -> total.merge(k, v, BigInteger::add));
            pools.add(results[p]);
        }
        total.put(EpochAllocation.UNASSIGNED_SHARE, emission.subtract(assigned));
        EpochAllocation.DeviceAllocation[] out = new EpochAllocation.DeviceAllocation[n];
        IntStream.range(0, n).parallel().forEach(i -> out[i] = allocation(devices.get(i), scale[i], small, wide, i));
        return new EpochAllocation(epoch, rules, emission, pools, cuts, new ArrayList<>(java.util.Arrays.asList(out)), total,
                new TreeMap<>(unpooledUnits));
    }

    /** One pool's split: sets its column of {@code small} or {@code wide} and returns its outcome. */
    private static EpochAllocation.PoolResult splitPool(RewardRules.Pool pool, int p, BigInteger poolEmission,
                                                        List<DeviceUnits> devices, long[] scale, long[][] small,
                                                        BigInteger[][] wide) {
        int n = devices.size();
        long units = 0;
        long[] w = new long[n];
        // The weight in a long while every device's is >= 0 and the sum fits (the usual case): see shares().
        long smallWeight = 0;
        boolean fits = true;
        for (int i = 0; i < n; i++) {
            long u = devices.get(i).poolUnits()[p];
            units = Math.addExact(units, u);
            w[i] = pool.densityScaled() ? Math.multiplyExact(u, scale[i]) : u;
            long sum = smallWeight + w[i];
            fits &= w[i] >= 0 && sum >= 0;
            smallWeight = sum;
        }
        BigInteger weight;
        if (fits) {
            weight = BigInteger.valueOf(smallWeight);
        } else {
            weight = BigInteger.ZERO;
            for (int i = 0; i < n; i++) {
                weight = weight.add(BigInteger.valueOf(w[i]));
            }
        }
        SortedMap<String, BigInteger> unallocated = new TreeMap<>();
        for (String reason : List.of(EpochAllocation.ROUNDING, EpochAllocation.EMPTY_POOL,
                EpochAllocation.DEVICE_CAP, EpochAllocation.OWNER_CAP)) {
            unallocated.put(reason, BigInteger.ZERO);
        }
        if (weight.signum() == 0) {
            unallocated.put(EpochAllocation.EMPTY_POOL, poolEmission);
            small[p] = new long[n];
        } else if (fits && (small[p] = shares(poolEmission, w, smallWeight, pool.capPerDevice(), unallocated)) != null) {
            if (pool.capPerOwner() != null) {
                wide[p] = new BigInteger[n];
                for (int i = 0; i < n; i++) {
                    wide[p][i] = BigInteger.valueOf(small[p][i]);
                }
                small[p] = null;
                unallocated.put(EpochAllocation.OWNER_CAP, capOwners(devices, wide[p], pool.capPerOwner()));
            }
        } else {
            BigInteger[] amounts = new BigInteger[n];
            BigInteger share = BigInteger.ZERO;
            BigInteger deviceCapped = BigInteger.ZERO;
            for (int i = 0; i < n; i++) {
                BigInteger a = w[i] == 0 ? BigInteger.ZERO : poolEmission.multiply(BigInteger.valueOf(w[i])).divide(weight);
                share = share.add(a);
                if (pool.capPerDevice() != null && a.compareTo(pool.capPerDevice()) > 0) {
                    deviceCapped = deviceCapped.add(a.subtract(pool.capPerDevice()));
                    a = pool.capPerDevice();
                }
                amounts[i] = a;
            }
            unallocated.put(EpochAllocation.ROUNDING, poolEmission.subtract(share));
            unallocated.put(EpochAllocation.DEVICE_CAP, deviceCapped);
            if (pool.capPerOwner() != null) {
                unallocated.put(EpochAllocation.OWNER_CAP, capOwners(devices, amounts, pool.capPerOwner()));
            }
            wide[p] = amounts;
        }
        Wide.Sum allocated = new Wide.Sum();
        for (int i = 0; i < n; i++) {
            if (small[p] != null) {
                allocated.add(small[p][i]);
            } else {
                allocated.add(wide[p][i]);
            }
        }
        return new EpochAllocation.PoolResult(pool.name(), poolEmission, units, weight, allocated.value(), unallocated);
    }

    /** Device {@code i}'s allocation: in longs when its pool amounts and their sum fit, else in BigIntegers. */
    private static EpochAllocation.DeviceAllocation allocation(DeviceUnits d, long scale, long[][] small, BigInteger[][] wide,
                                                               int i) {
        long[] amounts = new long[small.length];
        long sum = 0;
        boolean fits = true;
        for (int p = 0; p < small.length && fits; p++) {
            if (small[p] == null) {
                fits = false;
            } else {
                long x = small[p][i];
                long s = sum + x;
                // Pool amounts in longs are >= 0: an overflow shows as a negative sum.
                fits = s >= 0;
                amounts[p] = x;
                sum = s;
            }
        }
        if (fits) {
            return new EpochAllocation.DeviceAllocation(d.deviceId(), d.owner(), d.rawUnits(), scale, d.poolUnits(), amounts, sum);
        }
        BigInteger[] exact = new BigInteger[small.length];
        BigInteger total = BigInteger.ZERO;
        for (int p = 0; p < small.length; p++) {
            exact[p] = small[p] != null ? BigInteger.valueOf(small[p][i]) : wide[p][i];
            total = total.add(exact[p]);
        }
        return new EpochAllocation.DeviceAllocation(d.deviceId(), d.owner(), d.rawUnits(), scale, d.poolUnits(), exact, total);
    }

    /**
     * Each device's share of a pool whose weight {@code W} and device weights fit in longs, >= 0, W > 0:
     * {@code floor(P * w / W) = q * w + floor(r * w / W)} with {@code P = q * W + r}, in unsigned 128-bit longs
     * (r < W, so the second quotient is below w and fits), then the device cap. Returns the amounts and sets the
     * pool's rounding and device_cap remainders exactly as the BigInteger path does; returns null, having set
     * nothing, when q, a share or a cap does not fit in a long (the caller then takes the BigInteger path).
     */
    private static long[] shares(BigInteger poolEmission, long[] w, long weight, BigInteger capPerDevice,
                                 SortedMap<String, BigInteger> unallocated) {
        BigInteger[] qr = poolEmission.divideAndRemainder(BigInteger.valueOf(weight));
        if (poolEmission.signum() < 0 || qr[0].bitLength() >= 64 || (capPerDevice != null && capPerDevice.signum() < 0)) {
            return null;
        }
        long q = qr[0].longValue();
        long r = qr[1].longValue();
        // A cap of 2^63 or more is above every share that fits in a long.
        long cap = capPerDevice == null || capPerDevice.bitLength() >= 64 ? Long.MAX_VALUE : capPerDevice.longValue();
        long[] amounts = new long[w.length];
        Wide.Sum share = new Wide.Sum();
        Wide.Sum deviceCapped = new Wide.Sum();
        for (int i = 0; i < w.length; i++) {
            long wi = w[i];
            if (wi == 0) {
                continue;
            }
            long hi = Math.multiplyHigh(q, wi);
            long lo = q * wi;
            long t = Wide.divide(Math.multiplyHigh(r, wi), r * wi, weight);
            long a = lo + t;
            if (Long.compareUnsigned(a, lo) < 0) {
                hi++;
            }
            if (hi != 0 || a < 0) {
                return null;
            }
            share.add(a);
            if (a > cap) {
                deviceCapped.add(a - cap);
                a = cap;
            }
            amounts[i] = a;
        }
        unallocated.put(EpochAllocation.ROUNDING, poolEmission.subtract(share.value()));
        unallocated.put(EpochAllocation.DEVICE_CAP, deviceCapped.value());
        return amounts;
    }

    /** Scales down every owner above the cap in one pool's amounts; returns what that withheld. */
    private static BigInteger capOwners(List<DeviceUnits> devices, BigInteger[] amounts, BigInteger cap) {
        Map<String, BigInteger> byOwner = new HashMap<>();
        for (int i = 0; i < devices.size(); i++) {
            byOwner.merge(devices.get(i).owner(), amounts[i], BigInteger::add);
        }
        BigInteger withheld = BigInteger.ZERO;
        for (int i = 0; i < devices.size(); i++) {
            BigInteger ownerTotal = byOwner.get(devices.get(i).owner());
            if (ownerTotal.compareTo(cap) > 0) {
                BigInteger capped = amounts[i].multiply(cap).divide(ownerTotal);
                withheld = withheld.add(amounts[i].subtract(capped));
                amounts[i] = capped;
            }
        }
        return withheld;
    }
}
