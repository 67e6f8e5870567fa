package dev.flywheel.chain;

import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KeySpec;
import software.amazon.awssdk.services.kms.model.MessageType;
import software.amazon.awssdk.services.kms.model.SigningAlgorithmSpec;

import java.util.Objects;

/**
 * An AWS KMS key of spec {@code ECC_SECG_P256K1}: the private key never leaves KMS. The public key
 * is read once (it never changes for a key id).
 */
public final class AwsKmsKey implements KmsKey {
    private final KmsClient kms;
    private final String keyId;
    private volatile byte[] publicKey;

    public AwsKmsKey(KmsClient kms, String keyId) {
        this.kms = Objects.requireNonNull(kms, "kms");
        this.keyId = Objects.requireNonNull(keyId, "keyId");
    }

    @Override
    public byte[] publicKeyDer() {
        byte[] key = publicKey;
        if (key == null) {
            var response = kms.getPublicKey(b -> b.keyId(keyId));
            if (response.keySpec() != KeySpec.ECC_SECG_P256_K1) {
                throw new IllegalStateException("KMS key " + keyId + " is " + response.keySpecAsString()
                        + ", not ECC_SECG_P256K1: it cannot sign Ethereum transactions");
            }
            key = response.publicKey().asByteArray();
            publicKey = key;
        }
        return key.clone();
    }

    @Override
    public byte[] signDigest(byte[] digest) {
        return kms.sign(b -> b.keyId(keyId)
                .message(SdkBytes.fromByteArray(digest))
                .messageType(MessageType.DIGEST)
                .signingAlgorithm(SigningAlgorithmSpec.ECDSA_SHA_256)).signature().asByteArray();
    }
}
