package dev.flywheel.core.crypto;

import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.Optional;

/**
 * The device signature schemes of protocol v1. Each names its wire id, key and signature sizes,
 * and the digest it signs, so firmware authors can implement it from {@code docs/protocol.md}.
 */
public enum SignatureScheme {
    /** Ed25519 (RFC 8032, pure): 32-byte key, 64-byte signature over the message itself. */
    ED25519("ed25519", 64),
    /** ECDSA P-256 with SHA-256 (secure elements such as ATECC608): 64-byte r||s, low-s required. */
    P256_SHA256("p256-sha256", 64),
    /** ECDSA secp256k1 over keccak256 (EVM-keyed devices): 65-byte r||s||v, low-s required. */
    SECP256K1_KECCAK256("secp256k1-keccak256", 65);

    private final String wireId;
    private final int signatureLength;

    SignatureScheme(String wireId, int signatureLength) {
        this.wireId = wireId;
        this.signatureLength = signatureLength;
    }

    public String wireId() {
        return wireId;
    }

    public int signatureLength() {
        return signatureLength;
    }

    public static Optional<SignatureScheme> fromWireId(String id) {
        for (SignatureScheme s : values()) {
            if (s.wireId.equals(id)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /** Verifies {@code signature} by {@code publicKey} over {@code message}; never throws on bad input. */
    public boolean verify(byte[] publicKey, byte[] message, byte[] signature) {
        if (signature == null || signature.length != signatureLength) {
            return false;
        }
        try {
            return switch (this) {
                case ED25519 -> publicKey.length == Ed25519.PUBLIC_KEY_SIZE
                        && Ed25519.verify(signature, 0, publicKey, 0, message, 0, message.length);
                case P256_SHA256 -> verifyEcdsa(Curves.P256, publicKey, sha256(message), signature);
                case SECP256K1_KECCAK256 -> verifyEcdsa(Curves.SECP256K1, publicKey, Keccak256.hash(message), signature)
                        && recoveryByteMatches(publicKey, Keccak256.hash(message), signature);
            };
        } catch (RuntimeException malformedKeyOrPoint) {
            return false;
        }
    }

    /** The digest the ECDSA schemes sign; Ed25519 signs the message itself. */
    public byte[] digest(byte[] message) {
        return switch (this) {
            case ED25519 -> message;
            case P256_SHA256 -> sha256(message);
            case SECP256K1_KECCAK256 -> Keccak256.hash(message);
        };
    }

    private static boolean verifyEcdsa(ECDomainParameters curve, byte[] publicKey, byte[] digest, byte[] sig) {
        BigInteger r = new BigInteger(1, Arrays.copyOfRange(sig, 0, 32));
        BigInteger s = new BigInteger(1, Arrays.copyOfRange(sig, 32, 64));
        // Low-s only: a high-s twin of a valid signature would otherwise be a second valid encoding.
        if (s.compareTo(curve.getN().shiftRight(1)) > 0) {
            return false;
        }
        ECDSASigner verifier = new ECDSASigner();
        verifier.init(false, new ECPublicKeyParameters(curve.getCurve().decodePoint(publicKey), curve));
        return verifier.verifySignature(digest, r, s);
    }

    /**
     * v must be 27 or 28 and name the candidate point that recovers the key, as ecrecover reads it:
     * otherwise one valid (r, s) would have several accepted encodings, and an EVM consumer of
     * the same signature would recover a different address.
     */
    private static boolean recoveryByteMatches(byte[] publicKey, byte[] digest, byte[] sig) {
        int v = (sig[64] & 0xFF) - 27;
        if (v != 0 && v != 1) {
            return false;
        }
        ECDomainParameters curve = Curves.SECP256K1;
        BigInteger r = new BigInteger(1, Arrays.copyOfRange(sig, 0, 32));
        BigInteger s = new BigInteger(1, Arrays.copyOfRange(sig, 32, 64));
        ECPoint recovered = DeviceSigningKey.recover(curve, digest, r, s, v);
        return recovered != null && recovered.equals(curve.getCurve().decodePoint(publicKey));
    }

    static byte[] sha256(byte[] message) {
        SHA256Digest d = new SHA256Digest();
        d.update(message, 0, message.length);
        byte[] out = new byte[32];
        d.doFinal(out, 0);
        return out;
    }

    /** Curve parameters, built once. */
    static final class Curves {
        static final ECDomainParameters P256 = domain("secp256r1");
        static final ECDomainParameters SECP256K1 = domain("secp256k1");

        private static ECDomainParameters domain(String name) {
            X9ECParameters p = CustomNamedCurves.getByName(name);
            return new ECDomainParameters(p.getCurve(), p.getG(), p.getN(), p.getH());
        }

        private Curves() {
        }
    }
}
