package dev.flywheel.core.crypto;

import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.math.ec.ECPoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeviceSigningKeyTest {

    /** Anvil / Hardhat default account #0. */
    private static final String ANVIL_KEY_0 = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
    private static final String ANVIL_ADDRESS_0 = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";

    private static String address(byte[] uncompressedPublicKey) {
        assertEquals(65, uncompressedPublicKey.length);
        assertEquals(0x04, uncompressedPublicKey[0]);
        byte[] hash = Keccak256.hash(Arrays.copyOfRange(uncompressedPublicKey, 1, 65));
        return Encoding.hex0x(Arrays.copyOfRange(hash, 12, 32));
    }

    /** ecrecover as an EVM does it, written independently of DeviceSigningKey.recover. */
    private static byte[] ecrecover(byte[] digest, byte[] sig) {
        X9ECParameters p = CustomNamedCurves.getByName("secp256k1");
        BigInteger n = p.getN();
        BigInteger r = new BigInteger(1, Arrays.copyOfRange(sig, 0, 32));
        BigInteger s = new BigInteger(1, Arrays.copyOfRange(sig, 32, 64));
        int v = (sig[64] & 0xFF) - 27;
        byte[] rEnc = new byte[33];
        rEnc[0] = (byte) (v == 0 ? 0x02 : 0x03);
        System.arraycopy(sig, 0, rEnc, 1, 32);
        ECPoint bigR = p.getCurve().decodePoint(rEnc);
        BigInteger rInv = r.modInverse(n);
        BigInteger e = new BigInteger(1, digest);
        // Q = r^-1 (s R - e G)
        ECPoint q = bigR.multiply(s).subtract(p.getG().multiply(e)).multiply(rInv).normalize();
        return q.getEncoded(false);
    }

    @Test
    void secp256k1KeyRecoversToTheKnownEthereumAddress() {
        DeviceSigningKey k = DeviceSigningKey.fromPrivateKey(SignatureScheme.SECP256K1_KECCAK256, Encoding.fromHex(ANVIL_KEY_0));
        assertEquals("0x048318535b54105d4a7aae60c08fc45f9687181b4fdfc625bd1a753fa7397fed753547f11ca8696646f2f3acb08e31"
                + "016afac23e630c5d11f59f61fef57b0d2aa5", Encoding.hex0x(k.publicKey()));
        assertEquals(ANVIL_ADDRESS_0, address(k.publicKey()));
        for (String m : new String[] {"", "flywheel", "{\"a\":1}", "x".repeat(1000)}) {
            byte[] message = m.getBytes(StandardCharsets.UTF_8);
            byte[] sig = k.sign(message);
            int v = sig[64] & 0xFF;
            assertTrue(v == 27 || v == 28);
            assertEquals(ANVIL_ADDRESS_0, address(ecrecover(Keccak256.hash(message), sig)), m);
        }
    }

    /**
     * Expected signatures from an independent implementation (@noble/curves 1.9 secp256k1.sign over
     * keccak256(message), RFC 6979 with HMAC-SHA256, low-s), as r || s || 27 + recovery.
     */
    @ParameterizedTest
    @CsvSource({
            "'', f9a45c11d904141226963b371ccbc2128a29d146ce3c0d43326414711e3e153d536804917f10c70c5d0cd7b730b559d95eb812d1d783f6dd534e5854f01b3e551b",
            "flywheel, 27620bbdbc878aaba7dcbb49ca5caf933f0f778c5b38fa18ce5c4024a0839bf9638f89c91beeb3d5c33f40565b375e4df719a405b655aa81a65d6372e32e4bba1c",
    })
    void secp256k1SignaturesMatchAnIndependentRfc6979Implementation(String message, String expectedHex) {
        DeviceSigningKey k = DeviceSigningKey.fromPrivateKey(SignatureScheme.SECP256K1_KECCAK256, Encoding.fromHex(ANVIL_KEY_0));
        byte[] sig = k.sign(message.getBytes(StandardCharsets.UTF_8));
        assertEquals(expectedHex, Encoding.hex(sig));
    }

    /** RFC 6979 A.2.5, P-256 / SHA-256, message "sample"; our signer then normalises s to the low half. */
    @Test
    void p256MatchesRfc6979VectorWithLowS() {
        DeviceSigningKey k = DeviceSigningKey.fromPrivateKey(SignatureScheme.P256_SHA256,
                Encoding.fromHex("c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721"));
        assertEquals("0460fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6"
                + "7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299", Encoding.hex(k.publicKey()));
        byte[] message = "sample".getBytes(StandardCharsets.UTF_8);
        byte[] sig = k.sign(message);
        BigInteger n = CustomNamedCurves.getByName("secp256r1").getN();
        BigInteger rfcS = new BigInteger("f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8", 16);
        assertEquals("efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716", Encoding.hex(Arrays.copyOfRange(sig, 0, 32)));
        assertEquals(n.subtract(rfcS), new BigInteger(1, Arrays.copyOfRange(sig, 32, 64)));
        assertTrue(SignatureScheme.P256_SHA256.verify(k.publicKey(), message, sig));
    }

    @ParameterizedTest
    @CsvSource({
            // RFC 8032 section 7.1, TEST 1 (empty message) and TEST 2 (one byte 0x72)
            "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60, d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a, '', "
                    + "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
            "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb, 3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c, 72, "
                    + "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
    })
    void ed25519Rfc8032Vectors(String secret, String expectedPublic, String messageHex, String expectedSignature) {
        DeviceSigningKey k = DeviceSigningKey.fromPrivateKey(SignatureScheme.ED25519, Encoding.fromHex(secret));
        assertEquals(expectedPublic, Encoding.hex(k.publicKey()));
        byte[] message = Encoding.fromHex(messageHex);
        assertEquals(expectedSignature, Encoding.hex(k.sign(message)));
        assertTrue(SignatureScheme.ED25519.verify(Encoding.fromHex(expectedPublic), message, Encoding.fromHex(expectedSignature)));
    }

    @ParameterizedTest
    @EnumSource(SignatureScheme.class)
    void keySizesAndRebuildFromPrivateKey(SignatureScheme scheme) {
        DeviceSigningKey k = DeviceSigningKey.generate(scheme, new SecureRandom());
        assertEquals(32, k.privateKey().length);
        assertEquals(scheme == SignatureScheme.ED25519 ? 32 : 65, k.publicKey().length);
        DeviceSigningKey again = DeviceSigningKey.fromPrivateKey(scheme, k.privateKey());
        assertArrayEquals(k.publicKey(), again.publicKey());
        if (scheme != SignatureScheme.ED25519) {
            ECDomainParameters curve = scheme == SignatureScheme.P256_SHA256 ? SignatureScheme.Curves.P256 : SignatureScheme.Curves.SECP256K1;
            BigInteger d = new BigInteger(1, k.privateKey());
            assertTrue(d.signum() > 0 && d.compareTo(curve.getN()) < 0);
            assertTrue(curve.getCurve().decodePoint(k.publicKey()).isValid());
        }
    }

    @Test
    void accessorsReturnDefensiveCopies() {
        DeviceSigningKey k = DeviceSigningKey.fromPrivateKey(SignatureScheme.ED25519, new byte[32]);
        byte[] pub = k.publicKey();
        pub[0] ^= 1;
        assertNotEquals(pub[0], k.publicKey()[0]);
        byte[] priv = k.privateKey();
        priv[0] ^= 1;
        assertEquals(0, k.privateKey()[0]);
    }

    @Test
    void toBytes32PadsAndStripsTheSignByte() {
        assertEquals("00".repeat(31) + "01", Encoding.hex(DeviceSigningKey.toBytes32(BigInteger.ONE)));
        BigInteger high = BigInteger.ONE.shiftLeft(255);
        assertEquals("80" + "00".repeat(31), Encoding.hex(DeviceSigningKey.toBytes32(high)));
        assertEquals(32, DeviceSigningKey.toBytes32(high).length);
    }
}
