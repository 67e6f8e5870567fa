package dev.flywheel.core.crypto;

import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SignatureSchemeTest {

    private static final byte[] MESSAGE = "{\"device\":\"ws-1\",\"seq\":7}".getBytes(StandardCharsets.UTF_8);

    private static DeviceSigningKey key(SignatureScheme scheme, long seed) {
        SecureRandom random;
        try {
            random = SecureRandom.getInstance("SHA1PRNG");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        random.setSeed(seed);
        return DeviceSigningKey.generate(scheme, random);
    }

    private static BigInteger orderOf(SignatureScheme scheme) {
        X9ECParameters p = CustomNamedCurves.getByName(scheme == SignatureScheme.P256_SHA256 ? "secp256r1" : "secp256k1");
        return p.getN();
    }

    @Test
    void wireIdsAndSignatureLengths() {
        assertEquals("ed25519", SignatureScheme.ED25519.wireId());
        assertEquals("p256-sha256", SignatureScheme.P256_SHA256.wireId());
        assertEquals("secp256k1-keccak256", SignatureScheme.SECP256K1_KECCAK256.wireId());
        assertEquals(64, SignatureScheme.ED25519.signatureLength());
        assertEquals(64, SignatureScheme.P256_SHA256.signatureLength());
        assertEquals(65, SignatureScheme.SECP256K1_KECCAK256.signatureLength());
        for (SignatureScheme s : SignatureScheme.values()) {
            assertEquals(s, SignatureScheme.fromWireId(s.wireId()).orElseThrow());
        }
        assertTrue(SignatureScheme.fromWireId("ED25519").isEmpty());
        assertTrue(SignatureScheme.fromWireId("es256k").isEmpty());
        assertTrue(SignatureScheme.fromWireId("").isEmpty());
    }

    @ParameterizedTest
    @EnumSource(SignatureScheme.class)
    void signVerifyRoundTrip(SignatureScheme scheme) {
        DeviceSigningKey k = key(scheme, 1);
        byte[] sig = k.sign(MESSAGE);
        assertEquals(scheme.signatureLength(), sig.length);
        assertTrue(scheme.verify(k.publicKey(), MESSAGE, sig));
        assertTrue(scheme.verify(k.publicKey(), new byte[0], k.sign(new byte[0])));
    }

    @ParameterizedTest
    @EnumSource(SignatureScheme.class)
    void everyFlippedMessageBitFails(SignatureScheme scheme) {
        DeviceSigningKey k = key(scheme, 2);
        byte[] sig = k.sign(MESSAGE);
        for (int bit = 0; bit < MESSAGE.length * 8; bit++) {
            byte[] m = MESSAGE.clone();
            m[bit / 8] ^= (byte) (1 << (bit % 8));
            assertFalse(scheme.verify(k.publicKey(), m, sig), "message bit " + bit);
        }
        assertFalse(scheme.verify(k.publicKey(), Arrays.copyOf(MESSAGE, MESSAGE.length + 1), sig), "appended byte");
        assertFalse(scheme.verify(k.publicKey(), Arrays.copyOf(MESSAGE, MESSAGE.length - 1), sig), "truncated");
    }

    @ParameterizedTest
    @EnumSource(SignatureScheme.class)
    void everyFlippedSignatureBitFails(SignatureScheme scheme) {
        DeviceSigningKey k = key(scheme, 3);
        byte[] sig = k.sign(MESSAGE);
        for (int bit = 0; bit < sig.length * 8; bit++) {
            byte[] s = sig.clone();
            s[bit / 8] ^= (byte) (1 << (bit % 8));
            assertFalse(scheme.verify(k.publicKey(), MESSAGE, s), "signature bit " + bit);
        }
    }

    @ParameterizedTest
    @EnumSource(SignatureScheme.class)
    void anotherKeysSignatureFails(SignatureScheme scheme) {
        DeviceSigningKey signer = key(scheme, 4);
        DeviceSigningKey registered = key(scheme, 5);
        assertFalse(scheme.verify(registered.publicKey(), MESSAGE, signer.sign(MESSAGE)));
    }

    @ParameterizedTest
    @EnumSource(SignatureScheme.class)
    void wrongLengthSignaturesReturnFalse(SignatureScheme scheme) {
        DeviceSigningKey k = key(scheme, 6);
        byte[] sig = k.sign(MESSAGE);
        int n = scheme.signatureLength();
        assertFalse(scheme.verify(k.publicKey(), MESSAGE, Arrays.copyOf(sig, n - 1)));
        assertFalse(scheme.verify(k.publicKey(), MESSAGE, Arrays.copyOf(sig, n + 1)));
        assertFalse(scheme.verify(k.publicKey(), MESSAGE, new byte[0]));
        assertFalse(scheme.verify(k.publicKey(), MESSAGE, null));
        assertFalse(scheme.verify(k.publicKey(), MESSAGE, new byte[n]), "all-zero signature");
        byte[] ones = new byte[n];
        Arrays.fill(ones, (byte) 0xFF);
        assertFalse(scheme.verify(k.publicKey(), MESSAGE, ones), "all-ones signature");
    }

    @ParameterizedTest
    @EnumSource(SignatureScheme.class)
    void garbagePublicKeysReturnFalseNeverThrow(SignatureScheme scheme) {
        DeviceSigningKey k = key(scheme, 7);
        byte[] sig = k.sign(MESSAGE);
        byte[] pub = k.publicKey();
        byte[] wrongPrefix = pub.clone();
        wrongPrefix[0] = 0x05;
        byte[] offCurve = pub.clone();
        offCurve[offCurve.length - 1] ^= 1;
        byte[] infinity = {0x00};
        Random random = new Random(7);
        byte[] randomKey = new byte[pub.length];
        random.nextBytes(randomKey);
        for (byte[] garbage : new byte[][] {new byte[0], new byte[1], infinity, new byte[32], new byte[33], new byte[65],
                Arrays.copyOf(pub, pub.length - 1), Arrays.copyOf(pub, pub.length + 1), wrongPrefix, offCurve, randomKey}) {
            assertFalse(scheme.verify(garbage, MESSAGE, sig), () -> "key " + Encoding.hex(garbage));
        }
        assertFalse(scheme.verify(null, MESSAGE, sig));
        assertFalse(scheme.verify(pub, null, sig));
    }

    @Test
    void ecdsaKeysOfTheOtherCurveFail() {
        DeviceSigningKey p256 = key(SignatureScheme.P256_SHA256, 8);
        DeviceSigningKey k1 = key(SignatureScheme.SECP256K1_KECCAK256, 8);
        assertFalse(SignatureScheme.SECP256K1_KECCAK256.verify(p256.publicKey(), MESSAGE,
                Arrays.copyOf(p256.sign(MESSAGE), 65)));
        assertFalse(SignatureScheme.P256_SHA256.verify(k1.publicKey(), MESSAGE, Arrays.copyOf(k1.sign(MESSAGE), 64)));
    }

    @ParameterizedTest
    @EnumSource(value = SignatureScheme.class, names = {"P256_SHA256", "SECP256K1_KECCAK256"})
    void ecdsaSignaturesAreLowSAndDeterministic(SignatureScheme scheme) {
        BigInteger halfN = orderOf(scheme).shiftRight(1);
        for (int i = 0; i < 64; i++) {
            DeviceSigningKey k = key(scheme, 100 + i);
            byte[] m = ("message " + i).getBytes(StandardCharsets.UTF_8);
            byte[] sig = k.sign(m);
            BigInteger s = new BigInteger(1, Arrays.copyOfRange(sig, 32, 64));
            assertTrue(s.signum() > 0 && s.compareTo(halfN) <= 0, "s must be in the low half");
            assertArrayEquals(sig, k.sign(m), "RFC 6979 signatures are deterministic");
            assertArrayEquals(sig, DeviceSigningKey.fromPrivateKey(scheme, k.privateKey()).sign(m));
        }
    }

    @ParameterizedTest
    @EnumSource(value = SignatureScheme.class, names = {"P256_SHA256", "SECP256K1_KECCAK256"})
    void highSTwinOfAValidSignatureIsRejected(SignatureScheme scheme) {
        BigInteger n = orderOf(scheme);
        DeviceSigningKey k = key(scheme, 9);
        byte[] sig = k.sign(MESSAGE);
        assertTrue(scheme.verify(k.publicKey(), MESSAGE, sig));
        BigInteger s = new BigInteger(1, Arrays.copyOfRange(sig, 32, 64));
        byte[] twin = sig.clone();
        System.arraycopy(DeviceSigningKey.toBytes32(n.subtract(s)), 0, twin, 32, 32);
        if (scheme == SignatureScheme.SECP256K1_KECCAK256) {
            // (r, n - s) is the same signature for the point -R: its recovery id flips.
            twin[64] = (byte) (sig[64] == 27 ? 28 : 27);
        }
        assertFalse(scheme.verify(k.publicKey(), MESSAGE, twin));
    }

    @Test
    void secp256k1RecoveryByteIs27Or28AndMustMatch() {
        int[] seen = new int[2];
        for (int i = 0; i < 40; i++) {
            DeviceSigningKey k = key(SignatureScheme.SECP256K1_KECCAK256, 200 + i);
            byte[] sig = k.sign(MESSAGE);
            int v = sig[64] & 0xFF;
            assertTrue(v == 27 || v == 28, "v = " + v);
            seen[v - 27]++;
            byte[] otherV = sig.clone();
            otherV[64] = (byte) (v == 27 ? 28 : 27);
            assertFalse(SignatureScheme.SECP256K1_KECCAK256.verify(k.publicKey(), MESSAGE, otherV), "wrong v");
            for (int raw : new int[] {0, 1, 26, 29, 35, 36, 255}) {
                byte[] bad = sig.clone();
                bad[64] = (byte) raw;
                assertFalse(SignatureScheme.SECP256K1_KECCAK256.verify(k.publicKey(), MESSAGE, bad), "v = " + raw);
            }
        }
        assertTrue(seen[0] > 0 && seen[1] > 0, "both recovery ids occur");
    }

    @Test
    void secp256k1AcceptsTheCompressedFormOfTheRegisteredKey() {
        DeviceSigningKey k = key(SignatureScheme.SECP256K1_KECCAK256, 10);
        byte[] pub = k.publicKey();
        byte[] compressed = new byte[33];
        compressed[0] = (byte) (0x02 + (pub[64] & 1));
        System.arraycopy(pub, 1, compressed, 1, 32);
        assertTrue(SignatureScheme.SECP256K1_KECCAK256.verify(compressed, MESSAGE, k.sign(MESSAGE)));
    }

    @Test
    void digests() {
        assertArrayEquals(MESSAGE, SignatureScheme.ED25519.digest(MESSAGE));
        assertArrayEquals(Encoding.sha256(MESSAGE), SignatureScheme.P256_SHA256.digest(MESSAGE));
        assertArrayEquals(Keccak256.hash(MESSAGE), SignatureScheme.SECP256K1_KECCAK256.digest(MESSAGE));
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                Encoding.hex(SignatureScheme.P256_SHA256.digest(new byte[0])));
        assertEquals("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470",
                Encoding.hex(SignatureScheme.SECP256K1_KECCAK256.digest(new byte[0])));
    }

    @Test
    void p256IsNotFooledBySignaturesOverAnotherDigest() {
        DeviceSigningKey k = key(SignatureScheme.P256_SHA256, 11);
        assertNotEquals(Encoding.hex(k.sign(MESSAGE)), Encoding.hex(k.sign(Encoding.sha256(MESSAGE))));
        assertFalse(SignatureScheme.P256_SHA256.verify(k.publicKey(), Encoding.sha256(MESSAGE), k.sign(MESSAGE)));
    }

    @Test
    void privateKeysMustBe32Bytes() {
        for (SignatureScheme s : SignatureScheme.values()) {
            assertThrows(IllegalArgumentException.class, () -> DeviceSigningKey.fromPrivateKey(s, new byte[31]));
            assertThrows(IllegalArgumentException.class, () -> DeviceSigningKey.fromPrivateKey(s, new byte[33]));
        }
    }
}
