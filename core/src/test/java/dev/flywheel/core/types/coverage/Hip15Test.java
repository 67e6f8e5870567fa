package dev.flywheel.core.types.coverage;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Hip15Test {

    /** The formula as written in HIP-15, in doubles. */
    private static double beaconer(int n) {
        return n <= 4 ? n / 4.0 : Math.min(2, 2 - Math.pow(0.8, n - 4));
    }

    private static double witness(int n) {
        return n == 0 ? 0 : n <= 4 ? 1 : (4 - (1 - Math.pow(0.8, n - 4))) / n;
    }

    /** The formula in exact decimals (0.8^k has k decimal digits), floored to micro-units. */
    private static long exactMicros(BigDecimal value) {
        return value.movePointRight(6).setScale(0, RoundingMode.FLOOR).longValueExact();
    }

    @Test
    void unitsForZeroToTwentyWitnessesMatchTheFormula() {
        BigDecimal p08 = new BigDecimal("0.8");
        for (int n = 0; n <= 20; n++) {
            long b = Hip15.beaconerMicros(n);
            long w = Hip15.witnessMicros(n);
            assertEquals(beaconer(n), b / 1e6, 1e-6, "beaconer n=" + n);
            assertEquals(witness(n), w / 1e6, 1e-6, "witness n=" + n);
            BigDecimal exactB = n <= 4 ? BigDecimal.valueOf(n).divide(BigDecimal.valueOf(4))
                    : BigDecimal.valueOf(2).subtract(p08.pow(n - 4));
            BigDecimal exactW = n == 0 ? BigDecimal.ZERO : n <= 4 ? BigDecimal.ONE
                    : BigDecimal.valueOf(3).add(p08.pow(n - 4)).divide(BigDecimal.valueOf(n), 30, RoundingMode.FLOOR);
            assertEquals(exactMicros(exactB), b, "beaconer n=" + n);
            assertEquals(exactMicros(exactW), w, "witness n=" + n);
            assertTrue(b <= 2_000_000, "cap 2");
            // a split never hands out more than the formula: n * floor(w) <= n * w
            assertTrue(BigInteger.valueOf(n).multiply(Hip15.witnessExact(n).denominator()).multiply(BigInteger.valueOf(w))
                    .compareTo(BigInteger.valueOf(n).multiply(Hip15.witnessExact(n).numerator()).multiply(BigInteger.valueOf(1_000_000))) <= 0);
        }
    }

    @Test
    void knownValues() {
        assertEquals(0, Hip15.beaconerMicros(0));
        assertEquals(0, Hip15.witnessMicros(0));
        assertEquals(250_000, Hip15.beaconerMicros(1));
        assertEquals(1_000_000, Hip15.witnessMicros(1));
        assertEquals(1_000_000, Hip15.beaconerMicros(4));
        assertEquals(1_000_000, Hip15.witnessMicros(4));
        assertEquals(1_200_000, Hip15.beaconerMicros(5));       // 2 - 0.8
        assertEquals(760_000, Hip15.witnessMicros(5));          // 3.8 / 5
        assertEquals(1_360_000, Hip15.beaconerMicros(6));       // 2 - 0.64
        assertEquals(606_666, Hip15.witnessMicros(6));          // 3.64 / 6 = 0.60666..., floored
        assertEquals(1_892_625, Hip15.beaconerMicros(14));      // 2 - 0.8^10 = 1.8926258176
        assertEquals(221_955, Hip15.witnessMicros(14));         // 3.1073741824 / 14 = 0.22195529..., floored
        assertThrows(IllegalArgumentException.class, () -> Hip15.beaconerMicros(-1));
    }
}
