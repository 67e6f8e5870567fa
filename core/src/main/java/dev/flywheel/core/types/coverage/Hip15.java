package dev.flywheel.core.types.coverage;

import java.math.BigInteger;

/**
 * HIP-15 reward units for one beacon with {@code n} rewarded witnesses (redundancy R = 4, decay 0.8, cap 2):
 * <pre>
 * beaconer(n) = n / 4                              n <= 4
 *             = min(2, 2 - 0.8^(n-4))              n >  4
 * witness(n)  = 1 (each)                           1 <= n <= 4
 *             = (4 - (1 - 0.8^(n-4))) / n (each)   n >  4
 * </pre>
 * Units are <b>micro-units</b> (1 unit = {@value #SCALE} micro-units, a {@code long}). Each value is computed
 * exactly as a fraction of integers ({@code 0.8^k = 4^k / 5^k}) and then rounded <b>down</b> to a whole
 * micro-unit, so every platform gets the same numbers and a split never hands out more than the formula. For
 * n <= 4 the values are exact; for n > 4 the floor loses less than one micro-unit per report. n = 0 gives 0.
 */
public final class Hip15 {
    public static final long SCALE = 1_000_000L;
    public static final int REDUNDANCY = 4;

    /** An exact non-negative fraction. */
    public record Fraction(BigInteger numerator, BigInteger denominator) {
        public long floorMicros() {
            return numerator.multiply(BigInteger.valueOf(SCALE)).divide(denominator).longValueExact();
        }

        public double toDouble() {
            return new java.math.BigDecimal(numerator).divide(new java.math.BigDecimal(denominator),
                    java.math.MathContext.DECIMAL64).doubleValue();
        }
    }

    private Hip15() {
    }

    public static Fraction beaconerExact(int n) {
        requireN(n);
        if (n <= REDUNDANCY) {
            return new Fraction(BigInteger.valueOf(n), BigInteger.valueOf(REDUNDANCY));
        }
        int k = n - REDUNDANCY;
        BigInteger five = BigInteger.valueOf(5).pow(k);
        BigInteger four = BigInteger.valueOf(4).pow(k);
        // 2 - 4^k/5^k = (2*5^k - 4^k) / 5^k, always below the cap 2
        return new Fraction(five.shiftLeft(1).subtract(four), five);
    }

    public static Fraction witnessExact(int n) {
        requireN(n);
        if (n == 0) {
            return new Fraction(BigInteger.ZERO, BigInteger.ONE);
        }
        if (n <= REDUNDANCY) {
            return new Fraction(BigInteger.ONE, BigInteger.ONE);
        }
        int k = n - REDUNDANCY;
        BigInteger five = BigInteger.valueOf(5).pow(k);
        BigInteger four = BigInteger.valueOf(4).pow(k);
        // (4 - (1 - 4^k/5^k)) / n = (3*5^k + 4^k) / (n*5^k)
        return new Fraction(five.multiply(BigInteger.valueOf(3)).add(four), five.multiply(BigInteger.valueOf(n)));
    }

    /** Beaconer's micro-units for n rewarded witnesses. */
    public static long beaconerMicros(int n) {
        return beaconerExact(n).floorMicros();
    }

    /** Each rewarded witness's micro-units when n witnesses are rewarded. */
    public static long witnessMicros(int n) {
        return witnessExact(n).floorMicros();
    }

    private static void requireN(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0: " + n);
        }
    }
}
