package dev.flywheel.chain;

import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The fees of a replacement at the same nonce: nodes refuse one that is not 10 % above on both fees. */
class ReplacementFeesTest {
    private static final BigInteger CEILING = gwei(3_000);

    @Test
    void atLeastTenPercentMoreOnBothFeesRoundedUp() {
        Eip1559Fees paid = new Eip1559Fees(gwei(25), BigInteger.valueOf(60_000_000_001L));
        Eip1559Fees market = new Eip1559Fees(gwei(25), gwei(55));

        Eip1559Fees bumped = RootPublisher.bump(paid, market, CEILING).orElseThrow();

        assertEquals(BigInteger.valueOf(27_500_000_000L), bumped.maxPriorityFeePerGas());
        assertEquals(BigInteger.valueOf(66_000_000_002L), bumped.maxFeePerGas(), "60000000001 * 1.1 rounded up");
    }

    @Test
    void followsTheMarketWhenItMovedFurther() {
        Eip1559Fees bumped = RootPublisher.bump(new Eip1559Fees(gwei(25), gwei(26)), new Eip1559Fees(gwei(30), gwei(2_000)), CEILING)
                .orElseThrow();
        assertEquals(new Eip1559Fees(gwei(30), gwei(2_000)), bumped);
    }

    @Test
    void capsAtTheCeilingAndGivesUpWhenTheCeilingLeavesLessThanTenPercent() {
        assertEquals(new Eip1559Fees(gwei(30), CEILING),
                RootPublisher.bump(new Eip1559Fees(gwei(25), gwei(2_000)), new Eip1559Fees(gwei(30), gwei(9_000)), CEILING).orElseThrow());
        assertEquals(Optional.empty(),
                RootPublisher.bump(new Eip1559Fees(gwei(25), gwei(2_800)), new Eip1559Fees(gwei(30), gwei(9_000)), CEILING),
                "2,800 * 1.1 > 3,000: no valid replacement, FEE_CEILING");
    }

    private static BigInteger gwei(long n) {
        return BigInteger.valueOf(n).multiply(BigInteger.TEN.pow(9));
    }
}
