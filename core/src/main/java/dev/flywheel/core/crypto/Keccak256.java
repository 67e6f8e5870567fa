package dev.flywheel.core.crypto;

import org.bouncycastle.crypto.digests.KeccakDigest;

/** Ethereum's keccak256 (original Keccak padding, not NIST SHA3-256). */
public final class Keccak256 {
    /** Bytes absorbed per permutation at 256-bit output (1600 - 2 * 256 bits). */
    private static final int RATE = 136;
    private static final long[] ROUND_CONSTANTS = {
            0x0000000000000001L, 0x0000000000008082L, 0x800000000000808aL, 0x8000000080008000L,
            0x000000000000808bL, 0x0000000080000001L, 0x8000000080008081L, 0x8000000000008009L,
            0x000000000000008aL, 0x0000000000000088L, 0x0000000080008009L, 0x000000008000000aL,
            0x000000008000808bL, 0x800000000000008bL, 0x8000000000008089L, 0x8000000000008003L,
            0x8000000000008002L, 0x8000000000000080L, 0x000000000000800aL, 0x800000008000000aL,
            0x8000000080008081L, 0x8000000000008080L, 0x0000000080000001L, 0x8000000080008008L};

    /** Keccak's lanes are little-endian 64-bit words. */
    private static final java.lang.invoke.VarHandle LANE =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

    private Keccak256() {
    }

    /** keccak256 of the concatenation of {@code parts}. */
    public static byte[] hash(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        if (length < RATE) {
            return oneBlock(parts, length);
        }
        KeccakDigest digest = new KeccakDigest(256);
        for (byte[] part : parts) {
            digest.update(part, 0, part.length);
        }
        byte[] out = new byte[32];
        digest.doFinal(out, 0);
        return out;
    }

    /**
     * Input shorter than one block (every Merkle leaf and node is): one permutation on a state in longs, without
     * the digest object and its buffers (BouncyCastle's per-hash setup was most of a 245,000-leaf tree).
     * Keccak256Test checks it against BouncyCastle for every length below the rate.
     */
    private static byte[] oneBlock(byte[][] parts, int length) {
        byte[] block = new byte[RATE];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, block, at, part.length);
            at += part.length;
        }
        block[length] ^= 0x01;
        block[RATE - 1] ^= (byte) 0x80;
        long[] state = new long[25];
        for (int i = 0; i < RATE / 8; i++) {
            state[i] = (long) LANE.get(block, i * 8);
        }
        permute(state);
        byte[] out = new byte[32];
        for (int i = 0; i < 4; i++) {
            LANE.set(out, i * 8, state[i]);
        }
        return out;
    }

    /** Keccak-f[1600], unrolled over 25 local lanes (generated from the compact form: theta, rho and pi, chi, iota). */
    private static void permute(long[] st) {
        long a00 = st[0];
        long a01 = st[1];
        long a02 = st[2];
        long a03 = st[3];
        long a04 = st[4];
        long a05 = st[5];
        long a06 = st[6];
        long a07 = st[7];
        long a08 = st[8];
        long a09 = st[9];
        long a10 = st[10];
        long a11 = st[11];
        long a12 = st[12];
        long a13 = st[13];
        long a14 = st[14];
        long a15 = st[15];
        long a16 = st[16];
        long a17 = st[17];
        long a18 = st[18];
        long a19 = st[19];
        long a20 = st[20];
        long a21 = st[21];
        long a22 = st[22];
        long a23 = st[23];
        long a24 = st[24];
        for (long roundConstant : ROUND_CONSTANTS) {
            long c0 = a00 ^ a05 ^ a10 ^ a15 ^ a20;
            long c1 = a01 ^ a06 ^ a11 ^ a16 ^ a21;
            long c2 = a02 ^ a07 ^ a12 ^ a17 ^ a22;
            long c3 = a03 ^ a08 ^ a13 ^ a18 ^ a23;
            long c4 = a04 ^ a09 ^ a14 ^ a19 ^ a24;
            long d0 = c4 ^ Long.rotateLeft(c1, 1);
            long d1 = c0 ^ Long.rotateLeft(c2, 1);
            long d2 = c1 ^ Long.rotateLeft(c3, 1);
            long d3 = c2 ^ Long.rotateLeft(c4, 1);
            long d4 = c3 ^ Long.rotateLeft(c0, 1);
            a00 ^= d0;
            a05 ^= d0;
            a10 ^= d0;
            a15 ^= d0;
            a20 ^= d0;
            a01 ^= d1;
            a06 ^= d1;
            a11 ^= d1;
            a16 ^= d1;
            a21 ^= d1;
            a02 ^= d2;
            a07 ^= d2;
            a12 ^= d2;
            a17 ^= d2;
            a22 ^= d2;
            a03 ^= d3;
            a08 ^= d3;
            a13 ^= d3;
            a18 ^= d3;
            a23 ^= d3;
            a04 ^= d4;
            a09 ^= d4;
            a14 ^= d4;
            a19 ^= d4;
            a24 ^= d4;
            long t = a01;
            long next;
            next = a10;
            a10 = Long.rotateLeft(t, 1);
            t = next;
            next = a07;
            a07 = Long.rotateLeft(t, 3);
            t = next;
            next = a11;
            a11 = Long.rotateLeft(t, 6);
            t = next;
            next = a17;
            a17 = Long.rotateLeft(t, 10);
            t = next;
            next = a18;
            a18 = Long.rotateLeft(t, 15);
            t = next;
            next = a03;
            a03 = Long.rotateLeft(t, 21);
            t = next;
            next = a05;
            a05 = Long.rotateLeft(t, 28);
            t = next;
            next = a16;
            a16 = Long.rotateLeft(t, 36);
            t = next;
            next = a08;
            a08 = Long.rotateLeft(t, 45);
            t = next;
            next = a21;
            a21 = Long.rotateLeft(t, 55);
            t = next;
            next = a24;
            a24 = Long.rotateLeft(t, 2);
            t = next;
            next = a04;
            a04 = Long.rotateLeft(t, 14);
            t = next;
            next = a15;
            a15 = Long.rotateLeft(t, 27);
            t = next;
            next = a23;
            a23 = Long.rotateLeft(t, 41);
            t = next;
            next = a19;
            a19 = Long.rotateLeft(t, 56);
            t = next;
            next = a13;
            a13 = Long.rotateLeft(t, 8);
            t = next;
            next = a12;
            a12 = Long.rotateLeft(t, 25);
            t = next;
            next = a02;
            a02 = Long.rotateLeft(t, 43);
            t = next;
            next = a20;
            a20 = Long.rotateLeft(t, 62);
            t = next;
            next = a14;
            a14 = Long.rotateLeft(t, 18);
            t = next;
            next = a22;
            a22 = Long.rotateLeft(t, 39);
            t = next;
            next = a09;
            a09 = Long.rotateLeft(t, 61);
            t = next;
            next = a06;
            a06 = Long.rotateLeft(t, 20);
            t = next;
            next = a01;
            a01 = Long.rotateLeft(t, 44);
            long b0r0 = a00;
            long b1r0 = a01;
            long b2r0 = a02;
            long b3r0 = a03;
            long b4r0 = a04;
            a00 = b0r0 ^ (~b1r0 & b2r0);
            a01 = b1r0 ^ (~b2r0 & b3r0);
            a02 = b2r0 ^ (~b3r0 & b4r0);
            a03 = b3r0 ^ (~b4r0 & b0r0);
            a04 = b4r0 ^ (~b0r0 & b1r0);
            long b0r5 = a05;
            long b1r5 = a06;
            long b2r5 = a07;
            long b3r5 = a08;
            long b4r5 = a09;
            a05 = b0r5 ^ (~b1r5 & b2r5);
            a06 = b1r5 ^ (~b2r5 & b3r5);
            a07 = b2r5 ^ (~b3r5 & b4r5);
            a08 = b3r5 ^ (~b4r5 & b0r5);
            a09 = b4r5 ^ (~b0r5 & b1r5);
            long b0r10 = a10;
            long b1r10 = a11;
            long b2r10 = a12;
            long b3r10 = a13;
            long b4r10 = a14;
            a10 = b0r10 ^ (~b1r10 & b2r10);
            a11 = b1r10 ^ (~b2r10 & b3r10);
            a12 = b2r10 ^ (~b3r10 & b4r10);
            a13 = b3r10 ^ (~b4r10 & b0r10);
            a14 = b4r10 ^ (~b0r10 & b1r10);
            long b0r15 = a15;
            long b1r15 = a16;
            long b2r15 = a17;
            long b3r15 = a18;
            long b4r15 = a19;
            a15 = b0r15 ^ (~b1r15 & b2r15);
            a16 = b1r15 ^ (~b2r15 & b3r15);
            a17 = b2r15 ^ (~b3r15 & b4r15);
            a18 = b3r15 ^ (~b4r15 & b0r15);
            a19 = b4r15 ^ (~b0r15 & b1r15);
            long b0r20 = a20;
            long b1r20 = a21;
            long b2r20 = a22;
            long b3r20 = a23;
            long b4r20 = a24;
            a20 = b0r20 ^ (~b1r20 & b2r20);
            a21 = b1r20 ^ (~b2r20 & b3r20);
            a22 = b2r20 ^ (~b3r20 & b4r20);
            a23 = b3r20 ^ (~b4r20 & b0r20);
            a24 = b4r20 ^ (~b0r20 & b1r20);
            a00 ^= roundConstant;
        }
        st[0] = a00;
        st[1] = a01;
        st[2] = a02;
        st[3] = a03;
        st[4] = a04;
        st[5] = a05;
        st[6] = a06;
        st[7] = a07;
        st[8] = a08;
        st[9] = a09;
        st[10] = a10;
        st[11] = a11;
        st[12] = a12;
        st[13] = a13;
        st[14] = a14;
        st[15] = a15;
        st[16] = a16;
        st[17] = a17;
        st[18] = a18;
        st[19] = a19;
        st[20] = a20;
        st[21] = a21;
        st[22] = a22;
        st[23] = a23;
        st[24] = a24;
    }
}
