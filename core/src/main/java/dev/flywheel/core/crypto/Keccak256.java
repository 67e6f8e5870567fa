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
    private static final int[] ROTATIONS = {1, 3, 6, 10, 15, 21, 28, 36, 45, 55, 2, 14, 27, 41, 56, 8, 25, 43, 62, 18,
            39, 61, 20, 44};
    private static final int[] PI_LANES = {10, 7, 11, 17, 18, 3, 5, 16, 8, 21, 24, 4, 15, 23, 19, 13, 12, 2, 20, 14, 22, 9,
            6, 1};

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
            state[i] = littleEndian(block, i * 8);
        }
        permute(state);
        byte[] out = new byte[32];
        for (int i = 0; i < 4; i++) {
            long lane = state[i];
            for (int b = 0; b < 8; b++) {
                out[i * 8 + b] = (byte) (lane >>> (8 * b));
            }
        }
        return out;
    }

    private static long littleEndian(byte[] b, int off) {
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = (v << 8) | (b[off + i] & 0xFF);
        }
        return v;
    }

    /** Keccak-f[1600]. */
    private static void permute(long[] st) {
        long[] bc = new long[5];
        for (long roundConstant : ROUND_CONSTANTS) {
            for (int i = 0; i < 5; i++) {
                bc[i] = st[i] ^ st[i + 5] ^ st[i + 10] ^ st[i + 15] ^ st[i + 20];
            }
            for (int i = 0; i < 5; i++) {
                long t = bc[(i + 4) % 5] ^ Long.rotateLeft(bc[(i + 1) % 5], 1);
                for (int j = 0; j < 25; j += 5) {
                    st[j + i] ^= t;
                }
            }
            long t = st[1];
            for (int i = 0; i < 24; i++) {
                int j = PI_LANES[i];
                long next = st[j];
                st[j] = Long.rotateLeft(t, ROTATIONS[i]);
                t = next;
            }
            for (int j = 0; j < 25; j += 5) {
                for (int i = 0; i < 5; i++) {
                    bc[i] = st[j + i];
                }
                for (int i = 0; i < 5; i++) {
                    st[j + i] ^= ~bc[(i + 1) % 5] & bc[(i + 2) % 5];
                }
            }
            st[0] ^= roundConstant;
        }
    }
}
