package dev.flywheel.chain;

import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Keys;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.Sign;
import org.web3j.crypto.SignedRawTransaction;
import org.web3j.crypto.TransactionDecoder;
import org.web3j.utils.Numeric;

import java.math.BigInteger;
import java.security.SecureRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The KMS signer's maths, against a local secp256k1 key behind the KMS interface (moto's KMS hashes
 * DIGEST messages again, so it cannot stand in here): DER decoding, low-s, recovery id.
 */
class KmsTransactionSignerTest {
    private static final BigInteger HALF_N = Sign.CURVE_PARAMS.getN().shiftRight(1);

    @Test
    void aThousandRandomDigestsRecoverToTheKeysAddressIncludingHighSSignatures() throws Exception {
        SecureRandom random = new SecureRandom();
        ECKeyPair keyPair = Keys.createEcKeyPair(random);
        LocalSecp256k1Kms kms = new LocalSecp256k1Kms(keyPair, random);
        KmsTransactionSigner signer = new KmsTransactionSigner(kms);
        assertEquals(Credentials.create(keyPair).getAddress(), signer.address());

        for (int i = 0; i < 1_000; i++) {
            byte[] digest = new byte[32];
            random.nextBytes(digest);
            Sign.SignatureData signature = signer.signDigest(digest);
            assertTrue(new BigInteger(1, signature.getS()).compareTo(HALF_N) <= 0, "s normalised to the low half");
            BigInteger recovered = Sign.signedMessageHashToKey(digest, signature);
            assertEquals(signer.address(), "0x" + Keys.getAddress(recovered), "digest " + i);
        }
        int highS = kms.highS.get();
        System.out.println("KmsTransactionSigner: 1000 digests recovered to the key's address; " + highS + " had a high s from KMS");
        assertTrue(highS > 100, "high-s cases covered: " + highS);
    }

    @Test
    void signsAnEip1559TransactionWhoseSenderIsTheKmsKey() throws Exception {
        SecureRandom random = new SecureRandom();
        ECKeyPair keyPair = Keys.createEcKeyPair(random);
        KmsTransactionSigner signer = new KmsTransactionSigner(new LocalSecp256k1Kms(keyPair, random));
        RawTransaction tx = RawTransaction.createTransaction(80002, BigInteger.valueOf(7), BigInteger.valueOf(21_000),
                "0x9965507d1a55bcc2695c58ba16fb37d819b0a4dc", BigInteger.ONE, "", BigInteger.TWO, BigInteger.TEN);

        SignedRawTransaction decoded = (SignedRawTransaction) TransactionDecoder.decode(Numeric.toHexString(signer.sign(tx)));

        assertEquals(signer.address(), decoded.getFrom());
        assertEquals(BigInteger.valueOf(7), decoded.getNonce());
    }

    @Test
    void rejectsMalformedKmsAnswers() {
        assertThrows(IllegalArgumentException.class, () -> KmsTransactionSigner.decodeDer(new byte[] {0x30, 0x00}));
        assertThrows(IllegalArgumentException.class, () -> KmsTransactionSigner.decodeDer(new byte[] {1, 2, 3}));
        SecureRandom random = new SecureRandom();
        KmsKey otherKey = new LocalSecp256k1Kms(keyPairOrThrow(random), random);
        KmsKey mismatched = new KmsKey() {
            final KmsKey own = new LocalSecp256k1Kms(keyPairOrThrow(random), random);

            @Override
            public byte[] publicKeyDer() {
                return own.publicKeyDer();
            }

            @Override
            public byte[] signDigest(byte[] digest) {
                return otherKey.signDigest(digest);
            }
        };
        assertThrows(IllegalStateException.class, () -> new KmsTransactionSigner(mismatched).signDigest(new byte[32]),
                "a signature by another key never passes");
    }

    private static ECKeyPair keyPairOrThrow(SecureRandom random) {
        try {
            return Keys.createEcKeyPair(random);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
