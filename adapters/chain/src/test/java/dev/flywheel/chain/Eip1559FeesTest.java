package dev.flywheel.chain;

import org.junit.jupiter.api.Test;

import java.math.BigInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class Eip1559FeesTest {
    private static final BigInteger GWEI = BigInteger.TEN.pow(9);

    private static BigInteger gwei(long n) {
        return BigInteger.valueOf(n).multiply(GWEI);
    }

    @Test
    void tipBelowPolygonFloorIsRaisedToTheFloor() {
        Eip1559Fees fees = Eip1559Fees.of(gwei(30), gwei(1), ChainConfig.POLYGON_MIN_PRIORITY_FEE_WEI);

        assertEquals(gwei(25), fees.maxPriorityFeePerGas());
        assertEquals(gwei(2 * 30 + 25), fees.maxFeePerGas());
    }

    @Test
    void tipAboveTheFloorIsKept() {
        Eip1559Fees fees = Eip1559Fees.of(gwei(100), gwei(40), ChainConfig.POLYGON_MIN_PRIORITY_FEE_WEI);

        assertEquals(gwei(40), fees.maxPriorityFeePerGas());
        assertEquals(gwei(240), fees.maxFeePerGas());
    }

    @Test
    void zeroFloorTakesTheSuggestionAsIs() {
        Eip1559Fees fees = Eip1559Fees.of(BigInteger.valueOf(7), BigInteger.ONE, BigInteger.ZERO);

        assertEquals(BigInteger.ONE, fees.maxPriorityFeePerGas());
        assertEquals(BigInteger.valueOf(15), fees.maxFeePerGas());
    }

    @Test
    void maxFeeCannotBeBelowTheTip() {
        assertThrows(IllegalArgumentException.class, () -> new Eip1559Fees(gwei(2), gwei(1)));
    }
}
