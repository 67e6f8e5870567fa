package dev.flywheel.chain;

import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.web3j.crypto.ECDSASignature;
import org.web3j.crypto.Hash;
import org.web3j.crypto.Keys;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.Sign;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.utils.Numeric;

import java.io.IOException;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * Signs with a secp256k1 key held in KMS. web3j's own KMS processor is not used: it hashes the
 * message again and does not normalise s. Here: keccak256 of the unsigned EIP-1559 payload, KMS
 * signs that digest as is, the DER signature is split into r and s, s is moved to the low half of
 * the curve order (EIP-2: nodes reject high s), and the recovery id is the one of 0 and 1 that
 * recovers the key's own public key.
 */
public final class KmsTransactionSigner implements TransactionSigner {
    private static final BigInteger N = Sign.CURVE_PARAMS.getN();
    private static final BigInteger HALF_N = N.shiftRight(1);

    private final KmsKey key;
    private final BigInteger publicKey;
    private final String address;

    public KmsTransactionSigner(KmsKey key) {
        this.key = Objects.requireNonNull(key, "key");
        this.publicKey = publicKeyOf(key.publicKeyDer());
        this.address = "0x" + Keys.getAddress(publicKey).toLowerCase(Locale.ROOT);
    }

    @Override
    public String address() {
        return address;
    }

    @Override
    public byte[] sign(RawTransaction transaction) {
        if (!transaction.getType().isEip1559()) {
            throw new IllegalArgumentException("only EIP-1559 transactions are signed: " + transaction.getType());
        }
        byte[] digest = Hash.sha3(TransactionEncoder.encode(transaction));
        return TransactionEncoder.encode(transaction, signDigest(digest));
    }

    /** A recoverable signature of a 32-byte digest (v = 27 + recovery id, as web3j's Sign produces). */
    public Sign.SignatureData signDigest(byte[] digest) {
        if (digest.length != 32) {
            throw new IllegalArgumentException("digest must be 32 bytes");
        }
        ECDSASignature signature = lowS(decodeDer(key.signDigest(digest)));
        for (int recId = 0; recId < 2; recId++) {
            BigInteger recovered = Sign.recoverFromSignature(recId, signature, digest);
            if (publicKey.equals(recovered)) {
                return new Sign.SignatureData((byte) (27 + recId), Numeric.toBytesPadded(signature.r, 32),
                        Numeric.toBytesPadded(signature.s, 32));
            }
        }
        throw new IllegalStateException("KMS signature does not recover to " + address + ": wrong key or the digest was hashed again");
    }

    static ECDSASignature lowS(ECDSASignature signature) {
        return signature.s.compareTo(HALF_N) > 0 ? new ECDSASignature(signature.r, N.subtract(signature.s)) : signature;
    }

    static ECDSASignature decodeDer(byte[] der) {
        try {
            ASN1Sequence sequence = ASN1Sequence.getInstance(ASN1Primitive.fromByteArray(der));
            if (sequence.size() != 2) {
                throw new IllegalArgumentException("ECDSA signature must be a SEQUENCE of two INTEGERs");
            }
            BigInteger r = ASN1Integer.getInstance(sequence.getObjectAt(0)).getPositiveValue();
            BigInteger s = ASN1Integer.getInstance(sequence.getObjectAt(1)).getPositiveValue();
            if (r.signum() <= 0 || r.compareTo(N) >= 0 || s.signum() <= 0 || s.compareTo(N) >= 0) {
                throw new IllegalArgumentException("ECDSA r or s out of range");
            }
            return new ECDSASignature(r, s);
        } catch (IOException e) {
            throw new IllegalArgumentException("not a DER ECDSA signature", e);
        }
    }

    /** The 64-byte X||Y of an uncompressed secp256k1 point inside SubjectPublicKeyInfo, as web3j's public key integer. */
    static BigInteger publicKeyOf(byte[] subjectPublicKeyInfo) {
        byte[] point = SubjectPublicKeyInfo.getInstance(subjectPublicKeyInfo).getPublicKeyData().getBytes();
        if (point.length != 65 || point[0] != 0x04) {
            throw new IllegalArgumentException("expected an uncompressed secp256k1 point (65 bytes, 0x04 prefix)");
        }
        return new BigInteger(1, Arrays.copyOfRange(point, 1, 65));
    }
}
