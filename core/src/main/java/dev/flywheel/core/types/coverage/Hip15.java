package dev.flywheel.core.types.coverage;

import java.math.BigInteger;

/**
 * HIP-15 reward units for one beacon with {@code n} rewarded witnesses; the static methods use Helium's parameters
 * (redundancy R = 4, decay 0.8, cap 2), {@link Params} any a network configures:
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

    /**
     * The HIP-15 parameters (config/network.json {@code coverageUnits}, per rules version): {@link #DEFAULT} is
     * Helium's redundancy 4, decay 0.8 (8000 bps), beaconer cap 2. With d = decayBps / 10000 and R = redundancy:
     * beaconer(n) = n/R (n <= R), min(cap, cap - d^(n-R)) (n > R); witness(n) = 1 (1 <= n <= R),
     * (R - (1 - d^(n-R))) / n (n > R).
     */
    public record Params(int redundancy, int decayBps, int beaconerCap) {
        public static final Params DEFAULT = new Params(REDUNDANCY, 8000, 2);

        public Params {
            if (redundancy < 1 || decayBps <= 0 || decayBps >= 10_000 || beaconerCap < 1) {
                throw new IllegalArgumentException("HIP-15 parameters out of range: redundancy " + redundancy
                        + ", decayBps " + decayBps + ", beaconerCap " + beaconerCap);
            }
        }

        /** d^k as an exact fraction, from decayBps/10000 in lowest terms (8000 bps: 4^k / 5^k). */
        private Fraction decayPow(int k) {
            BigInteger num = BigInteger.valueOf(decayBps);
            BigInteger den = BigInteger.valueOf(10_000);
            BigInteger g = num.gcd(den);
            return new Fraction(num.divide(g).pow(k), den.divide(g).pow(k));
        }

        public Fraction beaconerExact(int n) {
            requireN(n);
            if (n <= redundancy) {
                return new Fraction(BigInteger.valueOf(n), BigInteger.valueOf(redundancy));
            }
            Fraction d = decayPow(n - redundancy);
            // cap - d^k = (cap*den - num) / den, always below the cap
            return new Fraction(d.denominator().multiply(BigInteger.valueOf(beaconerCap)).subtract(d.numerator()), d.denominator());
        }

        public Fraction witnessExact(int n) {
            requireN(n);
            if (n == 0) {
                return new Fraction(BigInteger.ZERO, BigInteger.ONE);
            }
            if (n <= redundancy) {
                return new Fraction(BigInteger.ONE, BigInteger.ONE);
            }
            Fraction d = decayPow(n - redundancy);
            // (R - (1 - d^k)) / n = ((R-1)*den + num) / (n*den)
            return new Fraction(d.denominator().multiply(BigInteger.valueOf(redundancy - 1L)).add(d.numerator()),
                    d.denominator().multiply(BigInteger.valueOf(n)));
        }

        public long beaconerMicros(int n) {
            return beaconerExact(n).floorMicros();
        }

        public long witnessMicros(int n) {
            return witnessExact(n).floorMicros();
        }
    }

    private Hip15() {
    }

    public static Fraction beaconerExact(int n) {
        return Params.DEFAULT.beaconerExact(n);
    }

    public static Fraction witnessExact(int n) {
        return Params.DEFAULT.witnessExact(n);
    }

    /** Beaconer's micro-units for n rewarded witnesses, under the default parameters. */
    public static long beaconerMicros(int n) {
        return Params.DEFAULT.beaconerMicros(n);
    }

    /** Each rewarded witness's micro-units when n witnesses are rewarded, under the default parameters. */
    public static long witnessMicros(int n) {
        return Params.DEFAULT.witnessMicros(n);
    }

    private static void requireN(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0: " + n);
        }
    }
}
