package dev.flywheel.chain;

import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ParametersWithRandom;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Sign;
import org.web3j.utils.Numeric;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fake of AWS KMS for one ECC_SECG_P256K1 key, with a local key: moto's KMS hashes a DIGEST
 * message again (it cannot give Ethereum signatures), so the signer's maths is tested against this.
 * Like KMS it signs the digest as given with a random nonce, so s lands in the high half of the
 * curve order about half the time, and returns DER; the public key comes as SubjectPublicKeyInfo.
 */
final class LocalSecp256k1Kms implements KmsKey {
    private static final ECDomainParameters CURVE = new ECDomainParameters(Sign.CURVE_PARAMS.getCurve(), Sign.CURVE_PARAMS.getG(),
            Sign.CURVE_PARAMS.getN(), Sign.CURVE_PARAMS.getH());
    private final ECKeyPair keyPair;
    private final SecureRandom random;
    final AtomicInteger highS = new AtomicInteger();

    LocalSecp256k1Kms(ECKeyPair keyPair, SecureRandom random) {
        this.keyPair = keyPair;
        this.random = random;
    }

    @Override
    public byte[] publicKeyDer() {
        byte[] point = new byte[65];
        point[0] = 0x04;
        System.arraycopy(Numeric.toBytesPadded(keyPair.getPublicKey(), 64), 0, point, 1, 64);
        try {
            return new SubjectPublicKeyInfo(new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, SECObjectIdentifiers.secp256k1),
                    point).getEncoded();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public byte[] signDigest(byte[] digest) {
        ECDSASigner signer = new ECDSASigner(); // random k, as KMS: no RFC 6979, no low-s
        signer.init(true, new ParametersWithRandom(new ECPrivateKeyParameters(keyPair.getPrivateKey(), CURVE), random));
        BigInteger[] rs = signer.generateSignature(digest);
        if (rs[1].compareTo(Sign.CURVE_PARAMS.getN().shiftRight(1)) > 0) {
            highS.incrementAndGet();
        }
        ASN1EncodableVector v = new ASN1EncodableVector();
        v.add(new ASN1Integer(rs[0]));
        v.add(new ASN1Integer(rs[1]));
        try {
            return new DERSequence(v).getEncoded();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
