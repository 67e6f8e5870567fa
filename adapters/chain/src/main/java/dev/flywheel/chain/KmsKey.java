package dev.flywheel.chain;

/**
 * The two KMS operations the signer needs, for one key: the shape of AWS KMS {@code GetPublicKey}
 * and {@code Sign}. Production: {@link AwsKmsKey}. Tests put a local secp256k1 key behind it,
 * because moto's KMS hashes a DIGEST message again and cannot produce an Ethereum signature.
 */
public interface KmsKey {

    /** The key's public key as X.509 SubjectPublicKeyInfo DER (what {@code GetPublicKey} returns). */
    byte[] publicKeyDer();

    /**
     * ECDSA signature over the 32-byte {@code digest} as given, not hashed again ({@code Sign} with
     * {@code MessageType=DIGEST}, {@code ECDSA_SHA_256}): an ASN.1 DER SEQUENCE of r and s. The s may be
     * in either half of the curve order.
     */
    byte[] signDigest(byte[] digest);
}
