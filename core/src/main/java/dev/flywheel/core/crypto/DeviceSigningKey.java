package dev.flywheel.core.crypto;

import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;
import org.bouncycastle.math.ec.ECAlgorithms;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * A device's private signing key. Real devices keep this in a secure element; the simulator and
 * the test vectors use this class. ECDSA signatures are deterministic (RFC 6979) and low-s.
 */
public record DeviceSigningKey(SignatureScheme scheme, byte[] privateKey, byte[] publicKey) {

    public DeviceSigningKey {
        privateKey = privateKey.clone();
        publicKey = publicKey.clone();
    }

    public static DeviceSigningKey generate(SignatureScheme scheme, SecureRandom random) {
        return switch (scheme) {
            case ED25519 -> {
                byte[] sk = new byte[Ed25519.SECRET_KEY_SIZE];
                random.nextBytes(sk);
                yield fromPrivateKey(scheme, sk);
            }
            case P256_SHA256, SECP256K1_KECCAK256 -> {
                ECDomainParameters curve = curveOf(scheme);
                BigInteger d;
                do {
                    d = new BigInteger(256, random);
                } while (d.signum() == 0 || d.compareTo(curve.getN()) >= 0);
                yield fromPrivateKey(scheme, toBytes32(d));
            }
        };
    }

    /** Rebuilds the key pair from a private key (32 bytes for every scheme). */
    public static DeviceSigningKey fromPrivateKey(SignatureScheme scheme, byte[] privateKey) {
        if (privateKey.length != 32) {
            throw new IllegalArgumentException("private keys are 32 bytes");
        }
        byte[] pub = switch (scheme) {
            case ED25519 -> {
                byte[] pk = new byte[Ed25519.PUBLIC_KEY_SIZE];
                Ed25519.generatePublicKey(privateKey, 0, pk, 0);
                yield pk;
            }
            case P256_SHA256, SECP256K1_KECCAK256 -> {
                ECDomainParameters curve = curveOf(scheme);
                yield new FixedPointCombMultiplier().multiply(curve.getG(), new BigInteger(1, privateKey))
                        .normalize().getEncoded(false);
            }
        };
        return new DeviceSigningKey(scheme, privateKey, pub);
    }

    /**
     * The same key with its public key as the 33-byte SEC1 compressed point ({@code 02/03 || X}), the
     * form some secure elements export; signatures are identical. Ed25519 keys have one form only.
     */
    public DeviceSigningKey withCompressedPublicKey() {
        if (scheme == SignatureScheme.ED25519) {
            throw new IllegalStateException("ed25519 public keys have no compressed form");
        }
        return new DeviceSigningKey(scheme, privateKey, curveOf(scheme).getCurve().decodePoint(publicKey).getEncoded(true));
    }

    @Override
    public byte[] privateKey() {
        return privateKey.clone();
    }

    @Override
    public byte[] publicKey() {
        return publicKey.clone();
    }

    public byte[] sign(byte[] message) {
        return switch (scheme) {
            case ED25519 -> {
                byte[] sig = new byte[Ed25519.SIGNATURE_SIZE];
                Ed25519.sign(privateKey, 0, message, 0, message.length, sig, 0);
                yield sig;
            }
            case P256_SHA256, SECP256K1_KECCAK256 -> signEcdsa(scheme.digest(message));
        };
    }

    private byte[] signEcdsa(byte[] digest) {
        ECDomainParameters curve = curveOf(scheme);
        BigInteger d = new BigInteger(1, privateKey);
        ECDSASigner signer = new ECDSASigner(new HMacDSAKCalculator(new SHA256Digest()));
        signer.init(true, new ECPrivateKeyParameters(d, curve));
        BigInteger[] rs = signer.generateSignature(digest);
        BigInteger r = rs[0];
        BigInteger s = rs[1];
        BigInteger halfN = curve.getN().shiftRight(1);
        if (s.compareTo(halfN) > 0) {
            s = curve.getN().subtract(s);
        }
        byte[] out = new byte[scheme.signatureLength()];
        System.arraycopy(toBytes32(r), 0, out, 0, 32);
        System.arraycopy(toBytes32(s), 0, out, 32, 32);
        if (scheme == SignatureScheme.SECP256K1_KECCAK256) {
            out[64] = (byte) (27 + recoveryId(curve, digest, r, s));
        }
        return out;
    }

    /** The EVM recovery id: which of the candidate points R yields this key. */
    private int recoveryId(ECDomainParameters curve, byte[] digest, BigInteger r, BigInteger s) {
        for (int v = 0; v < 2; v++) {
            ECPoint q = recover(curve, digest, r, s, v);
            // The registered key may be compressed (33 bytes) or not (65): compare in the same form.
            if (q != null && Arrays.equals(q.getEncoded(publicKey.length == 33), publicKey)) {
                return v;
            }
        }
        throw new IllegalStateException("no recovery id reproduces the public key");
    }

    /** Public key recovery (SEC 1 v2, 4.1.6) for x = r; enough for secp256k1 where r < n almost surely. */
    static ECPoint recover(ECDomainParameters curve, byte[] digest, BigInteger r, BigInteger s, int v) {
        byte[] compressed = new byte[33];
        compressed[0] = (byte) (0x02 + (v & 1));
        System.arraycopy(toBytes32(r), 0, compressed, 1, 32);
        ECPoint bigR;
        try {
            bigR = curve.getCurve().decodePoint(compressed);
        } catch (IllegalArgumentException notOnCurve) {
            return null;
        }
        BigInteger n = curve.getN();
        BigInteger e = new BigInteger(1, digest);
        BigInteger rInv = r.modInverse(n);
        BigInteger u1 = e.negate().multiply(rInv).mod(n);
        BigInteger u2 = s.multiply(rInv).mod(n);
        return ECAlgorithms.sumOfTwoMultiplies(curve.getG(), u1, bigR, u2).normalize();
    }

    private static ECDomainParameters curveOf(SignatureScheme scheme) {
        return scheme == SignatureScheme.P256_SHA256 ? SignatureScheme.Curves.P256 : SignatureScheme.Curves.SECP256K1;
    }

    static byte[] toBytes32(BigInteger value) {
        byte[] raw = value.toByteArray();
        byte[] out = new byte[32];
        int copy = Math.min(raw.length, 32);
        System.arraycopy(raw, raw.length - copy, out, 32 - copy, copy);
        return out;
    }
}
