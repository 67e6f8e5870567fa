package dev.flywheel.core.crypto;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class Keccak256Test {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void matchesEthereumKeccakNotNistSha3() {
        // keccak256("") as used by Ethereum; NIST SHA3-256("") would be a7ffc6f8...
        assertEquals("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470", HEX.formatHex(Keccak256.hash()));
        assertEquals("4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45",
                HEX.formatHex(Keccak256.hash("abc".getBytes(StandardCharsets.US_ASCII))));
    }

    @Test
    void hashesTheConcatenationOfItsParts() {
        byte[] whole = Keccak256.hash("hello world".getBytes(StandardCharsets.US_ASCII));
        byte[] parts = Keccak256.hash("hello".getBytes(StandardCharsets.US_ASCII), " ".getBytes(StandardCharsets.US_ASCII),
                "world".getBytes(StandardCharsets.US_ASCII));
        assertArrayEquals(whole, parts);
    }

    @Test
    void oneBlockPathMatchesBouncyCastleAtEveryLength() {
        java.util.Random r = new java.util.Random(11);
        for (int length = 0; length <= 300; length++) {
            for (int round = 0; round < 20; round++) {
                byte[] in = new byte[length];
                r.nextBytes(in);
                org.bouncycastle.crypto.digests.KeccakDigest bc = new org.bouncycastle.crypto.digests.KeccakDigest(256);
                bc.update(in, 0, in.length);
                byte[] expected = new byte[32];
                bc.doFinal(expected, 0);
                assertArrayEquals(expected, Keccak256.hash(in), "length " + length);
                int cut = length == 0 ? 0 : r.nextInt(length + 1);
                assertArrayEquals(expected, Keccak256.hash(java.util.Arrays.copyOfRange(in, 0, cut),
                        java.util.Arrays.copyOfRange(in, cut, length)), "length " + length + " in two parts");
            }
        }
    }
}
