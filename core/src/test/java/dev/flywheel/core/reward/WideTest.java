package dev.flywheel.core.reward;

import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The split's 128-bit long arithmetic against BigInteger, over random and edge operands (seeded). */
class WideTest {
    private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

    private static BigInteger unsigned(long x) {
        return x >= 0 ? BigInteger.valueOf(x) : BigInteger.valueOf(x).add(TWO_64);
    }

    @Test
    void divideEqualsBigIntegerDivision() {
        Random r = new Random(17);
        long[] edges = {1, 2, 3, 0xFFFF_FFFFL, 0x1_0000_0000L, Long.MAX_VALUE, Long.MIN_VALUE, -1, -2, 1L << 62, (1L << 32) + 1};
        for (int i = 0; i < 2_000_000; i++) {
            long d = i < edges.length * edges.length ? edges[i % edges.length] : switch (r.nextInt(4)) {
                case 0 -> r.nextLong();
                case 1 -> r.nextLong() >>> r.nextInt(64);
                case 2 -> 1L + r.nextInt(1000);
                default -> edges[r.nextInt(edges.length)];
            };
            if (d == 0) {
                continue;
            }
            // hi < d (unsigned): the quotient fits in 64 bits.
            long hi = i < edges.length * edges.length ? Long.remainderUnsigned(edges[i / edges.length], d)
                    : Long.remainderUnsigned(r.nextLong() >>> r.nextInt(64), d);
            long lo = r.nextInt(8) == 0 ? edges[r.nextInt(edges.length)] : r.nextLong();
            BigInteger n = unsigned(hi).shiftLeft(64).add(unsigned(lo));
            BigInteger expected = n.divide(unsigned(d));
            assertEquals(expected, unsigned(Wide.divide(hi, lo, d)), () -> "hi=" + hi + " lo=" + lo + " d=" + d);
            assertEquals(n, Wide.toBigInteger(hi, lo));
        }
    }

    @Test
    void shareEqualsBigIntegerFormula() {
        // floor(P * w / W) through q * w + floor(r * w / W), as the split computes it.
        Random r = new Random(5);
        for (int i = 0; i < 500_000; i++) {
            long weight = 1 + (r.nextLong() >>> (1 + r.nextInt(63)));
            long w = r.nextLong(weight) + (r.nextBoolean() ? 0 : 1);
            if (w > weight || w == 0) {
                w = weight;
            }
            BigInteger p = new BigInteger(1 + r.nextInt(120), r);
            BigInteger[] qr = p.divideAndRemainder(BigInteger.valueOf(weight));
            if (qr[0].bitLength() >= 64) {
                continue;
            }
            long q = qr[0].longValue();
            long rem = qr[1].longValue();
            long hi = Math.multiplyHigh(q, w);
            long lo = q * w;
            long t = Wide.divide(Math.multiplyHigh(rem, w), rem * w, weight);
            long sum = lo + t;
            if (Long.compareUnsigned(sum, lo) < 0) {
                hi++;
            }
            assertEquals(p.multiply(BigInteger.valueOf(w)).divide(BigInteger.valueOf(weight)), Wide.toBigInteger(hi, sum));
        }
    }

    @Test
    void sumIsExactPastOneHundredTwentyEightBits() {
        Random r = new Random(3);
        Wide.Sum sum = new Wide.Sum();
        BigInteger expected = BigInteger.ZERO;
        for (int i = 0; i < 100_000; i++) {
            BigInteger a = switch (r.nextInt(4)) {
                case 0 -> BigInteger.valueOf(Long.MAX_VALUE);
                case 1 -> BigInteger.valueOf(r.nextLong());
                case 2 -> new BigInteger(200, r);
                default -> BigInteger.valueOf(r.nextInt(100));
            };
            sum.add(a);
            expected = expected.add(a);
        }
        sum.add(-5);
        assertEquals(expected.subtract(BigInteger.valueOf(5)), sum.value());
    }
}
