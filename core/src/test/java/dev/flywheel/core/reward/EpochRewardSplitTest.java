package dev.flywheel.core.reward;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EpochRewardSplitTest {

    private static final String OWNER_A = "0x00000000000000000000000000000000000000aa";
    private static final String OWNER_B = "0x00000000000000000000000000000000000000bb";

    private static BigInteger sum(EpochRewards r) {
        return r.rewards().stream().map(DeviceReward::amount).reduce(BigInteger.ZERO, BigInteger::add);
    }

    private static void assertConserved(EpochRewards r) {
        assertEquals(r.emission(), sum(r).add(r.unallocated()), "sum(amounts) + unallocated == emission");
        assertEquals(sum(r), r.allocated());
        assertTrue(r.unallocated().signum() >= 0);
        // Truncation loses less than one smallest unit per rewarded device.
        assertTrue(r.unallocated().compareTo(BigInteger.valueOf(Math.max(1, r.rewards().size()))) < 0
                || r.totalUnits() == 0, "remainder " + r.unallocated() + " for " + r.rewards().size() + " devices");
    }

    private static List<WorkCredit> randomCredits(Random random, int devices, int owners, long maxUnits) {
        List<WorkCredit> credits = new ArrayList<>();
        for (int i = 0; i < devices; i++) {
            String owner = "0x" + String.format("%040x", i % owners);
            credits.add(new WorkCredit("dev-" + i, owner, (long) (random.nextDouble() * maxUnits)));
        }
        return credits;
    }

    @Test
    void workedExample() {
        EpochRewards r = EpochRewardSplit.split(3, BigInteger.valueOf(1000), List.of(
                new WorkCredit("a", OWNER_A, 1), new WorkCredit("b", OWNER_A, 1), new WorkCredit("c", OWNER_B, 1)));
        assertEquals(3, r.epoch());
        assertEquals(3, r.totalUnits());
        assertEquals(List.of(
                new DeviceReward("a", OWNER_A, 1, BigInteger.valueOf(333)),
                new DeviceReward("b", OWNER_A, 1, BigInteger.valueOf(333)),
                new DeviceReward("c", OWNER_B, 1, BigInteger.valueOf(333))), r.rewards());
        assertEquals(BigInteger.ONE, r.unallocated());
        assertEquals(BigInteger.valueOf(999), r.allocated());
    }

    @Test
    void proRataWithExactDivision() {
        EpochRewards r = EpochRewardSplit.split(0, BigInteger.valueOf(1000), List.of(
                new WorkCredit("a", OWNER_A, 1), new WorkCredit("b", OWNER_A, 3)));
        assertEquals(BigInteger.valueOf(250), r.rewards().get(0).amount());
        assertEquals(BigInteger.valueOf(750), r.rewards().get(1).amount());
        assertEquals(BigInteger.ZERO, r.unallocated());
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 7, 1000, 999_983})
    void conservationOnRandomInputs(long seed) {
        Random random = new Random(seed);
        for (int round = 0; round < 50; round++) {
            int devices = 1 + random.nextInt(300);
            BigInteger emission = new BigInteger(1 + random.nextInt(100), random);
            EpochRewards r = EpochRewardSplit.split(round, emission,
                    randomCredits(random, devices, 1 + random.nextInt(20), 1 + random.nextInt(1_000_000)));
            assertConserved(r);
        }
    }

    @Test
    void hugeEmissionAndManyDevicesAreExact() {
        Random random = new Random(42);
        BigInteger emission = BigInteger.TEN.pow(27);
        List<WorkCredit> credits = randomCredits(random, 100_000, 997, 1L << 40);
        EpochRewards r = EpochRewardSplit.split(9, emission, credits);
        assertConserved(r);
        long total = credits.stream().mapToLong(WorkCredit::units).sum();
        assertEquals(total, r.totalUnits());
        // Each amount is exactly floor(emission * units / total).
        for (DeviceReward d : r.rewards()) {
            BigInteger[] qr = emission.multiply(BigInteger.valueOf(d.units())).divideAndRemainder(BigInteger.valueOf(total));
            assertEquals(qr[0], d.amount(), d.deviceId());
        }
    }

    @Test
    void unitsNearLongMaxDoNotOverflowTheAmounts() {
        long big = Long.MAX_VALUE / 2;
        EpochRewards r = EpochRewardSplit.split(0, BigInteger.TEN.pow(27), List.of(
                new WorkCredit("a", OWNER_A, big), new WorkCredit("b", OWNER_B, big)));
        assertEquals(BigInteger.TEN.pow(27).divide(BigInteger.TWO), r.rewards().get(0).amount());
        assertConserved(r);
        assertThrows(ArithmeticException.class, () -> EpochRewardSplit.split(0, BigInteger.ONE, List.of(
                new WorkCredit("a", OWNER_A, Long.MAX_VALUE), new WorkCredit("b", OWNER_B, 1))));
    }

    @Test
    void orderDoesNotMatter() {
        Random random = new Random(2024);
        List<WorkCredit> credits = randomCredits(random, 2_000, 50, 10_000);
        // Some devices appear several times, as they would with one credit per proof.
        for (int i = 0; i < 500; i++) {
            WorkCredit c = credits.get(random.nextInt(credits.size()));
            credits.add(new WorkCredit(c.deviceId(), c.owner(), random.nextInt(5)));
        }
        BigInteger emission = new BigInteger("123456789012345678901234567");
        EpochRewards reference = EpochRewardSplit.split(12, emission, credits);
        for (int i = 0; i < 10; i++) {
            List<WorkCredit> shuffled = new ArrayList<>(credits);
            Collections.shuffle(shuffled, random);
            assertEquals(reference, EpochRewardSplit.split(12, emission, shuffled));
        }
        List<String> ids = reference.rewards().stream().map(DeviceReward::deviceId).toList();
        assertEquals(ids.stream().sorted().toList(), ids, "rewards are listed by device id");
    }

    @Test
    void zeroTotalUnitsLeavesEverythingUnallocated() {
        BigInteger emission = BigInteger.valueOf(1_000_000);
        EpochRewards none = EpochRewardSplit.split(1, emission, List.of());
        assertEquals(List.of(), none.rewards());
        assertEquals(emission, none.unallocated());
        assertEquals(0, none.totalUnits());
        EpochRewards zeros = EpochRewardSplit.split(1, emission, List.of(
                new WorkCredit("a", OWNER_A, 0), new WorkCredit("b", OWNER_B, 0)));
        assertEquals(List.of(), zeros.rewards());
        assertEquals(emission, zeros.unallocated());
        assertEquals(BigInteger.ZERO, zeros.allocated());
    }

    @Test
    void zeroUnitDevicesAreLeftOutButOthersShareEverything() {
        EpochRewards r = EpochRewardSplit.split(1, BigInteger.valueOf(10), List.of(
                new WorkCredit("a", OWNER_A, 0), new WorkCredit("b", OWNER_B, 2)));
        assertEquals(List.of(new DeviceReward("b", OWNER_B, 2, BigInteger.TEN)), r.rewards());
        assertEquals(BigInteger.ZERO, r.unallocated());
    }

    @Test
    void zeroEmission() {
        EpochRewards r = EpochRewardSplit.split(1, BigInteger.ZERO, List.of(new WorkCredit("a", OWNER_A, 5)));
        assertEquals(List.of(new DeviceReward("a", OWNER_A, 5, BigInteger.ZERO)), r.rewards());
        assertEquals(BigInteger.ZERO, r.unallocated());
    }

    @Test
    void emissionSmallerThanDeviceCountIsAllUnallocatedWhenSharesRoundDown() {
        EpochRewards r = EpochRewardSplit.split(1, BigInteger.TWO, List.of(
                new WorkCredit("a", OWNER_A, 1), new WorkCredit("b", OWNER_A, 1), new WorkCredit("c", OWNER_A, 1)));
        assertTrue(r.rewards().stream().allMatch(d -> d.amount().signum() == 0));
        assertEquals(BigInteger.TWO, r.unallocated());
    }

    @Test
    void aDeviceAppearingTwiceIsSummed() {
        EpochRewards twice = EpochRewardSplit.split(1, BigInteger.valueOf(900), List.of(
                new WorkCredit("a", OWNER_A, 1), new WorkCredit("b", OWNER_B, 1), new WorkCredit("a", OWNER_A, 1)));
        assertEquals(List.of(
                new DeviceReward("a", OWNER_A, 2, BigInteger.valueOf(600)),
                new DeviceReward("b", OWNER_B, 1, BigInteger.valueOf(300))), twice.rewards());
        assertEquals(3, twice.totalUnits());
        EpochRewards once = EpochRewardSplit.split(1, BigInteger.valueOf(900), List.of(
                new WorkCredit("a", OWNER_A, 2), new WorkCredit("b", OWNER_B, 1)));
        assertEquals(once, twice);
    }

    @Test
    void twoOwnersForOneDeviceAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EpochRewardSplit.split(1,
                BigInteger.TEN, List.of(new WorkCredit("a", OWNER_A, 1), new WorkCredit("a", OWNER_B, 1))));
        assertTrue(e.getMessage().contains("a"));
        assertThrows(IllegalArgumentException.class, () -> EpochRewardSplit.split(1, BigInteger.TEN, List.of(
                new WorkCredit("a", OWNER_A, 0), new WorkCredit("b", OWNER_A, 1), new WorkCredit("a", OWNER_B, 0))));
    }

    @Test
    void negativeEmissionAndUnitsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> EpochRewardSplit.split(1, BigInteger.valueOf(-1), List.of()));
        assertThrows(IllegalArgumentException.class, () -> new WorkCredit("a", OWNER_A, -1));
        new WorkCredit("a", OWNER_A, 0);
    }

    @Test
    void resultIsImmutable() {
        List<WorkCredit> input = new ArrayList<>(List.of(new WorkCredit("a", OWNER_A, 1)));
        EpochRewards r = EpochRewardSplit.split(1, BigInteger.TEN, input);
        assertThrows(UnsupportedOperationException.class, () -> r.rewards().add(null));
        input.add(new WorkCredit("b", OWNER_B, 1));
        assertEquals(1, r.rewards().size());
    }
}
