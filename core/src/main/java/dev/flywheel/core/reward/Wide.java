package dev.flywheel.core.reward;

import java.math.BigInteger;

/**
 * Exact unsigned 128-bit helpers for the split: a device's share {@code floor(P * w / W)} in longs when the
 * pool's weight fits in a long, instead of a BigInteger multiply and divide per device and pool (most of a
 * million-device split). Every result equals the BigInteger one; {@code WideTest} checks them against it.
 */
final class Wide {
    private static final long LOW32 = 0xFFFF_FFFFL;
    private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

    private Wide() {
    }

    /**
     * {@code floor((hi * 2^64 + lo) / d)}, all unsigned, for {@code hi < d} (unsigned) so the quotient fits in 64 bits.
     * Knuth's algorithm D on 32-bit digits (Hacker's Delight, divlu).
     */
    static long divide(long hi, long lo, long d) {
        int s = Long.numberOfLeadingZeros(d);
        d <<= s;
        long un32 = s == 0 ? hi : (hi << s) | (lo >>> (64 - s));
        long un10 = lo << s;
        long vn1 = d >>> 32;
        long vn0 = d & LOW32;
        long un1 = un10 >>> 32;
        long un0 = un10 & LOW32;

        long q1 = Long.divideUnsigned(un32, vn1);
        long rhat = Long.remainderUnsigned(un32, vn1);
        while (q1 > LOW32 || Long.compareUnsigned(q1 * vn0, (rhat << 32) | un1) > 0) {
            q1--;
            rhat += vn1;
            if (rhat > LOW32) {
                break;
            }
        }
        long un21 = (un32 << 32) + un1 - q1 * d;
        long q0 = Long.divideUnsigned(un21, vn1);
        rhat = Long.remainderUnsigned(un21, vn1);
        while (q0 > LOW32 || Long.compareUnsigned(q0 * vn0, (rhat << 32) | un0) > 0) {
            q0--;
            rhat += vn1;
            if (rhat > LOW32) {
                break;
            }
        }
        return (q1 << 32) | q0;
    }

    /** The unsigned 128-bit value {@code hi * 2^64 + lo}. */
    static BigInteger toBigInteger(long hi, long lo) {
        BigInteger low = lo >= 0 ? BigInteger.valueOf(lo) : BigInteger.valueOf(lo).add(TWO_64);
        if (hi == 0) {
            return low;
        }
        BigInteger high = hi >= 0 ? BigInteger.valueOf(hi) : BigInteger.valueOf(hi).add(TWO_64);
        return high.shiftLeft(64).add(low);
    }

    /** An exact sum: non-negative amounts in two longs (128 bits), anything else in a BigInteger. */
    static final class Sum {
        private long hi;
        private long lo;
        private BigInteger big = BigInteger.ZERO;

        void add(long a) {
            if (a < 0) {
                big = big.add(BigInteger.valueOf(a));
                return;
            }
            long before = lo;
            lo += a;
            if (Long.compareUnsigned(lo, before) < 0 && ++hi < 0) {
                spill();
            }
        }

        void add(BigInteger a) {
            if (a.signum() >= 0 && a.bitLength() < 64) {
                add(a.longValue());
            } else {
                big = big.add(a);
            }
        }

        private void spill() {
            big = big.add(toBigInteger(hi, lo));
            hi = 0;
            lo = 0;
        }

        BigInteger value() {
            return big.add(toBigInteger(hi, lo));
        }
    }
}
