package dev.flywheel.core.reward;

import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OwnerBalancesTest {

    private static final String A = "0x00000000000000000000000000000000000000aa";
    private static final String B = "0x00000000000000000000000000000000000000bb";
    private static final String C = "0x00000000000000000000000000000000000000cc";

    private static BigInteger total(Map<String, BigInteger> balances) {
        return balances.values().stream().reduce(BigInteger.ZERO, BigInteger::add);
    }

    @Test
    void firstEpochSumsDevicesPerOwner() {
        EpochRewards e = EpochRewardSplit.split(0, BigInteger.valueOf(1000), List.of(
                new WorkCredit("a", A, 1), new WorkCredit("b", A, 1), new WorkCredit("c", B, 1)));
        Map<String, BigInteger> balances = OwnerBalances.accumulate(Map.of(), e);
        assertEquals(Map.of(A, BigInteger.valueOf(666), B, BigInteger.valueOf(333)), balances);
        assertEquals(List.of(A, B), new ArrayList<>(balances.keySet()), "ordered by address");
    }

    @Test
    void balancesAreCumulativeAcrossEpochs() {
        Map<String, BigInteger> balances = Map.of();
        balances = OwnerBalances.accumulate(balances, EpochRewardSplit.split(0, BigInteger.valueOf(100),
                List.of(new WorkCredit("a", A, 1))));
        balances = OwnerBalances.accumulate(balances, EpochRewardSplit.split(1, BigInteger.valueOf(100),
                List.of(new WorkCredit("c", C, 1), new WorkCredit("a", A, 3))));
        assertEquals(Map.of(A, BigInteger.valueOf(175), C, BigInteger.valueOf(25)), balances);
        // An epoch without work keeps every balance.
        Map<String, BigInteger> after = OwnerBalances.accumulate(balances, EpochRewardSplit.split(2, BigInteger.valueOf(100), List.of()));
        assertEquals(balances, after);
    }

    @Test
    void previousBalancesAreNotModified() {
        Map<String, BigInteger> previous = new HashMap<>(Map.of(A, BigInteger.TEN));
        Map<String, BigInteger> next = OwnerBalances.accumulate(previous, EpochRewardSplit.split(0, BigInteger.TEN,
                List.of(new WorkCredit("a", A, 1))));
        assertEquals(Map.of(A, BigInteger.TEN), previous);
        assertEquals(Map.of(A, BigInteger.valueOf(20)), next);
    }

    @Test
    void totalGrowsByExactlyTheAllocatedAmountEachEpoch() {
        Random random = new Random(31337);
        Map<String, BigInteger> balances = Map.of();
        BigInteger allocated = BigInteger.ZERO;
        BigInteger unallocated = BigInteger.ZERO;
        BigInteger emitted = BigInteger.ZERO;
        for (int epoch = 0; epoch < 30; epoch++) {
            List<WorkCredit> credits = new ArrayList<>();
            for (int d = 0; d < 500; d++) {
                if (random.nextInt(4) > 0) {
                    credits.add(new WorkCredit("dev-" + d, String.format("0x%040x", d % 37), random.nextInt(100)));
                }
            }
            BigInteger emission = BigInteger.TEN.pow(24).add(BigInteger.valueOf(random.nextInt(1_000_000)));
            EpochRewards r = EpochRewardSplit.split(epoch, emission, credits);
            Map<String, BigInteger> next = OwnerBalances.accumulate(balances, r);
            assertEquals(total(balances).add(r.allocated()), total(next));
            for (Map.Entry<String, BigInteger> e : balances.entrySet()) {
                assertTrue(next.get(e.getKey()).compareTo(e.getValue()) >= 0, "balances never decrease");
            }
            balances = next;
            allocated = allocated.add(r.allocated());
            unallocated = unallocated.add(r.unallocated());
            emitted = emitted.add(emission);
        }
        assertEquals(allocated, total(balances));
        assertEquals(emitted, allocated.add(unallocated));
    }
}
