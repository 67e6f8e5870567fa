package dev.flywheel.iot;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

import java.io.StringReader;
import java.security.Provider;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;

/**
 * Checks a device's PKCS#10 CSR before anything is created in IoT Core, so a bad CSR leaves no thing
 * and no certificate behind. What it requires is what both issuers can honour: a PEM
 * {@code CERTIFICATE REQUEST} whose self-signature verifies, an EC P-256/P-384/P-521 or RSA >= 2048
 * key (IoT Core's accepted keys), and a subject whose only CN is the thing name (on the devnet the
 * broker takes the CN as the client's identity, as IoT Core's policy takes the attached thing).
 */
public final class CsrCheck {
    private static final Provider BC = new BouncyCastleProvider();
    /** PEM CSRs are a few hundred bytes to ~2 KB; anything much larger is not a CSR. */
    public static final int MAX_PEM_LENGTH = 16_384;

    private CsrCheck() {
    }

    /** @throws MalformedCsrException with the reason */
    public static void validate(String csrPem, String thingName) {
        if (csrPem == null || csrPem.isBlank()) {
            throw new MalformedCsrException("CSR is empty");
        }
        if (csrPem.length() > MAX_PEM_LENGTH) {
            throw new MalformedCsrException("CSR is longer than " + MAX_PEM_LENGTH + " characters");
        }
        PKCS10CertificationRequest csr;
        try (PEMParser parser = new PEMParser(new StringReader(csrPem))) {
            Object obj = parser.readObject();
            if (!(obj instanceof PKCS10CertificationRequest request)) {
                throw new MalformedCsrException("not a PEM 'CERTIFICATE REQUEST' (PKCS#10)");
            }
            csr = request;
        } catch (MalformedCsrException e) {
            throw e;
        } catch (Exception e) {
            throw new MalformedCsrException("CSR is not valid PEM/DER PKCS#10: " + e.getMessage(), e);
        }
        PublicKey key;
        try {
            key = new JcaPKCS10CertificationRequest(csr).setProvider(BC).getPublicKey();
        } catch (Exception e) {
            throw new MalformedCsrException("CSR public key cannot be read: " + e.getMessage(), e);
        }
        if (key instanceof ECPublicKey ec) {
            int bits = ec.getParams().getCurve().getField().getFieldSize();
            if (bits != 256 && bits != 384 && bits != 521) {
                throw new MalformedCsrException("EC key of " + bits + " bits: use P-256, P-384 or P-521");
            }
        } else if (key instanceof RSAPublicKey rsa) {
            if (rsa.getModulus().bitLength() < 2048) {
                throw new MalformedCsrException("RSA key of " + rsa.getModulus().bitLength() + " bits: at least 2048 required");
            }
        } else {
            throw new MalformedCsrException("unsupported key algorithm " + key.getAlgorithm() + " (EC or RSA)");
        }
        boolean ok;
        try {
            ok = csr.isSignatureValid(new JcaContentVerifierProviderBuilder().setProvider(BC).build(key));
        } catch (Exception e) {
            throw new MalformedCsrException("CSR signature cannot be verified: " + e.getMessage(), e);
        }
        if (!ok) {
            throw new MalformedCsrException("CSR signature does not verify with its own public key (tampered or corrupt)");
        }
        String cn = commonName(csr.getSubject());
        if (!thingName.equals(cn)) {
            throw new MalformedCsrException("CSR subject CN is '" + (cn == null ? "" : cn)
                    + "' but must be the thing name '" + thingName + "'");
        }
    }

    private static String commonName(X500Name name) {
        RDN[] cns = name.getRDNs(BCStyle.CN);
        if (cns.length != 1 || cns[0].isMultiValued()) {
            return null;
        }
        ASN1Encodable value = cns[0].getFirst().getValue();
        return value instanceof ASN1String s ? s.getString() : null;
    }
}
