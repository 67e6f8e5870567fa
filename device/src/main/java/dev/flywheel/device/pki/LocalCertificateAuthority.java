package dev.flywheel.device.pki;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.util.io.pem.PemObject;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A certificate authority held in memory: the devnet's stand-in for IoT Core's
 * {@code CreateCertificateFromCsr} and for a device maker's own CA registered with IoT Core
 * (multi-account registration / JITP). Issues X.509 v3 client certificates whose subject is
 * {@code CN=<thing name>}, which Mosquitto's {@code use_identity_as_username} turns into the ACL
 * user name, as the IoT policy variable {@code ${iot:Connection.Thing.ThingName}} does on AWS.
 *
 * <p>Thread-safe: issuing only reads the CA key.
 */
public final class LocalCertificateAuthority {

    /** The IoT Core thing-name alphabet (same as {@code ProofCodec.DEVICE_ID}). */
    public static final Pattern THING_NAME = Pattern.compile("[A-Za-z0-9:_-]{1,128}");
    public static final Duration DEFAULT_VALIDITY = Duration.ofDays(365);
    /** Backdating of notBefore, so a device with a slightly slow clock accepts a fresh certificate. */
    private static final Duration BACKDATE = Duration.ofHours(1);
    private static final Set<String> EC_CURVES_ACCEPTED = Set.of("secp256r1", "secp384r1", "secp521r1",
            "P-256", "P-384", "P-521", "prime256v1");
    private static final Provider BC = new BouncyCastleProvider();

    private final X509Certificate caCertificate;
    private final PrivateKey caKey;
    private final SecureRandom random;
    private final Clock clock;
    private final Duration validity;

    private LocalCertificateAuthority(X509Certificate caCertificate, PrivateKey caKey, SecureRandom random,
                                      Clock clock, Duration validity) {
        this.caCertificate = caCertificate;
        this.caKey = caKey;
        this.random = random;
        this.clock = clock;
        this.validity = validity;
    }

    /**
     * Loads the CA from a PEM certificate and a PEM private key (PKCS#8 {@code PRIVATE KEY}; SEC 1
     * {@code EC PRIVATE KEY} and PKCS#1 are accepted too), e.g. {@code FLYWHEEL_DEVNET_CA_CERT} and
     * {@code FLYWHEEL_DEVNET_CA_KEY}. Checks that the key belongs to the certificate.
     */
    public static LocalCertificateAuthority load(Path caCertPem, Path caKeyPem) {
        return load(caCertPem, caKeyPem, new SecureRandom(), Clock.systemUTC(), DEFAULT_VALIDITY);
    }

    public static LocalCertificateAuthority load(Path caCertPem, Path caKeyPem, SecureRandom random, Clock clock,
                                                 Duration validity) {
        X509Certificate cert;
        PrivateKey key;
        try {
            cert = parseCertificate(Files.readString(caCertPem, StandardCharsets.US_ASCII), caCertPem.toString());
            key = parsePrivateKey(Files.readString(caKeyPem, StandardCharsets.US_ASCII), caKeyPem.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the CA files " + caCertPem + ", " + caKeyPem, e);
        }
        return fromKeyAndCertificate(cert, key, random, clock, validity);
    }

    /** A CA from an already parsed certificate and key (checked to match). */
    public static LocalCertificateAuthority fromKeyAndCertificate(X509Certificate cert, PrivateKey key,
                                                                  SecureRandom random, Clock clock,
                                                                  Duration validity) {
        Objects.requireNonNull(random, "random");
        Objects.requireNonNull(clock, "clock");
        if (validity.isNegative() || validity.isZero()) {
            throw new IllegalArgumentException("validity must be positive");
        }
        if (cert.getKeyUsage() != null && !cert.getKeyUsage()[5]) {
            throw new IllegalArgumentException("CA certificate " + cert.getSubjectX500Principal()
                    + " lacks the keyCertSign key usage");
        }
        if (cert.getExtensionValue(Extension.basicConstraints.getId()) != null && cert.getBasicConstraints() < 0) {
            throw new IllegalArgumentException("certificate " + cert.getSubjectX500Principal() + " is not a CA (basicConstraints CA:FALSE)");
        }
        if (!keyMatches(key, cert.getPublicKey())) {
            throw new IllegalArgumentException("the CA private key does not belong to the CA certificate "
                    + cert.getSubjectX500Principal());
        }
        return new LocalCertificateAuthority(cert, key, random, clock, validity);
    }

    /**
     * Creates a fresh self-signed EC P-256 CA: for tests (e.g. an untrusted CA whose certificates
     * the broker must refuse) and for tools that make a devnet PKI without openssl.
     */
    public static LocalCertificateAuthority createSelfSigned(String commonName, Duration caValidity,
                                                             SecureRandom random) {
        KeyPair keyPair = generateTlsKeyPair(random);
        Instant now = Instant.now();
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build();
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial(random),
                    Date.from(now.minus(BACKDATE)), Date.from(now.plus(caValidity)), subject, keyPair.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            ext.createSubjectKeyIdentifier(keyPair.getPublic()));
            X509Certificate cert = toCertificate(builder.build(signer(keyPair.getPrivate())));
            return new LocalCertificateAuthority(cert, keyPair.getPrivate(), random, Clock.systemUTC(), DEFAULT_VALIDITY);
        } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot create a self-signed CA", e);
        }
    }

    public X509Certificate caCertificate() {
        return caCertificate;
    }

    public String caCertificatePem() {
        return toPem(caCertificate);
    }

    /** Writes the CA certificate (never the key) as PEM: the trust anchor a broker or client needs. */
    public Path writeCaCertificate(Path file) {
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            Files.writeString(file, caCertificatePem(), StandardCharsets.US_ASCII);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes the CA certificate and its PKCS#8 private key (mode 600) as PEM, in the form
     * {@link #load(Path, Path)} reads: for tools that make a devnet PKI without openssl.
     */
    public CertificateFiles writeCaFiles(Path certFile, Path keyFile) {
        writeCaCertificate(certFile);
        new IssuedCertificate("ca", caCertificate, caCertificatePem(), privateKeyPem(caKey))
                .writeKeyFile(keyFile);
        return new CertificateFiles(certFile, keyFile);
    }

    /**
     * Issues a certificate for {@code deviceId} together with a fresh EC P-256 TLS key (the
     * {@code CreateKeysAndCertificate} flow). The TLS key is the device's transport identity only;
     * its proof-signing key is separate.
     */
    public IssuedCertificate issue(String deviceId) {
        requireThingName(deviceId);
        KeyPair keyPair = generateTlsKeyPair(random);
        X509Certificate cert = sign(deviceId, keyPair.getPublic());
        return new IssuedCertificate(deviceId, cert, toPem(cert), privateKeyPem(keyPair.getPrivate()));
    }

    /**
     * Issues a certificate for the key in a PEM PKCS#10 CSR (the {@code CreateCertificateFromCsr}
     * flow: the private key never leaves the device). The CSR must carry a valid self-signature and a
     * subject with exactly one CN that is a valid thing name; the certificate's subject is that CN
     * alone, whatever else the CSR asked for. Accepted keys: EC P-256/P-384/P-521, RSA of 2048 bits
     * or more (what IoT Core accepts).
     *
     * @throws InvalidCsrException with the reason, for any CSR that fails these checks
     */
    public IssuedCertificate issueFromCsr(String csrPem) {
        if (csrPem == null || csrPem.isBlank()) {
            throw new InvalidCsrException("CSR is empty");
        }
        PKCS10CertificationRequest csr;
        try (PEMParser parser = new PEMParser(new StringReader(csrPem))) {
            Object obj = parser.readObject();
            if (!(obj instanceof PKCS10CertificationRequest request)) {
                throw new InvalidCsrException("not a PEM 'CERTIFICATE REQUEST' (PKCS#10)"
                        + (obj == null ? "" : "; found " + obj.getClass().getSimpleName()));
            }
            csr = request;
        } catch (IOException | RuntimeException e) {
            if (e instanceof InvalidCsrException ice) {
                throw ice;
            }
            throw new InvalidCsrException("CSR is not valid PEM/DER PKCS#10: " + e.getMessage(), e);
        }
        PublicKey publicKey;
        try {
            publicKey = new JcaPKCS10CertificationRequest(csr).setProvider(BC).getPublicKey();
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new InvalidCsrException("CSR public key cannot be read: " + e.getMessage(), e);
        }
        requireAcceptedKey(publicKey);
        boolean signatureOk;
        try {
            signatureOk = csr.isSignatureValid(new JcaContentVerifierProviderBuilder().setProvider(BC).build(publicKey));
        } catch (OperatorCreationException | PKCSException | RuntimeException e) {
            throw new InvalidCsrException("CSR signature cannot be verified: " + e.getMessage(), e);
        }
        if (!signatureOk) {
            throw new InvalidCsrException("CSR signature does not verify with the CSR's public key (tampered or corrupt CSR)");
        }
        String cn = commonNameOf(csr.getSubject());
        if (!THING_NAME.matcher(cn).matches()) {
            throw new InvalidCsrException("CSR subject CN '" + truncate(cn) + "' is not a valid thing name "
                    + THING_NAME.pattern());
        }
        X509Certificate cert = sign(cn, publicKey);
        return new IssuedCertificate(cn, cert, toPem(cert), null);
    }

    // ---------------------------------------------------------------------------------------------
    // Helpers also used by device firmware stand-ins and tests

    /** A fresh EC P-256 key pair: the TLS identity IoT Core and Mosquitto both accept. */
    public static KeyPair generateTlsKeyPair(SecureRandom random) {
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("EC", BC);
            gen.initialize(new ECGenParameterSpec("secp256r1"), random);
            return gen.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("EC P-256 unavailable", e);
        }
    }

    /** A PEM PKCS#10 CSR with subject {@code CN=<commonName>}, signed by {@code keyPair}. */
    public static String createCsr(String commonName, KeyPair keyPair) {
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build();
        try {
            PKCS10CertificationRequest csr = new JcaPKCS10CertificationRequestBuilder(subject, keyPair.getPublic())
                    .build(signer(keyPair.getPrivate()));
            return pem(new PemObject("CERTIFICATE REQUEST", csr.getEncoded()));
        } catch (OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot build a CSR", e);
        }
    }

    /** PKCS#8 PEM ({@code -----BEGIN PRIVATE KEY-----}). */
    public static String privateKeyPem(PrivateKey key) {
        if (!"PKCS#8".equals(key.getFormat())) {
            throw new IllegalArgumentException("key is not PKCS#8-encodable: " + key.getFormat());
        }
        return pem(new PemObject("PRIVATE KEY", key.getEncoded()));
    }

    private static String pem(PemObject object) {
        try {
            StringWriter out = new StringWriter();
            try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
                writer.writeObject(object);
            }
            return out.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String toPem(X509Certificate cert) {
        try {
            return pem(new PemObject("CERTIFICATE", cert.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Parses the first certificate of a PEM file. */
    public static X509Certificate parseCertificate(String pem, String what) {
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            Object obj;
            while ((obj = parser.readObject()) != null) {
                if (obj instanceof X509CertificateHolder holder) {
                    return new JcaX509CertificateConverter().setProvider(BC).getCertificate(holder);
                }
            }
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException(what + ": not a PEM certificate: " + e.getMessage(), e);
        }
        throw new IllegalArgumentException(what + ": no CERTIFICATE block in PEM");
    }

    /** Parses a PEM private key: PKCS#8 unencrypted, SEC 1 EC or PKCS#1 RSA. */
    public static PrivateKey parsePrivateKey(String pem, String what) {
        try (Reader r = new StringReader(pem); PEMParser parser = new PEMParser(r)) {
            Object obj = parser.readObject();
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter().setProvider(BC);
            if (obj instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
            if (obj instanceof PEMKeyPair pair) {
                return converter.getKeyPair(pair).getPrivate();
            }
            throw new IllegalArgumentException(what + ": expected an unencrypted PEM private key, found "
                    + (obj == null ? "nothing" : obj.getClass().getSimpleName()));
        } catch (IOException e) {
            throw new IllegalArgumentException(what + ": not a PEM private key: " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------------------------------------

    private X509Certificate sign(String commonName, PublicKey subjectKey) {
        Instant now = clock.instant();
        Instant notAfter = now.plus(validity);
        Instant caNotAfter = caCertificate.getNotAfter().toInstant();
        if (notAfter.isAfter(caNotAfter)) {
            notAfter = caNotAfter; // never outlive the issuer
        }
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build();
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(caCertificate, serial(random),
                    Date.from(now.minus(BACKDATE)), Date.from(notAfter), subject, subjectKey)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(subjectKey))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            ext.createAuthorityKeyIdentifier(caCertificate));
            return toCertificate(builder.build(signer(caKey)));
        } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot issue a certificate for " + commonName, e);
        }
    }

    private static X509Certificate toCertificate(X509CertificateHolder holder) throws GeneralSecurityException {
        return new JcaX509CertificateConverter().setProvider(BC).getCertificate(holder);
    }

    private static ContentSigner signer(PrivateKey key) throws OperatorCreationException {
        String alg = switch (key.getAlgorithm()) {
            case "EC", "ECDSA" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            case "Ed25519", "ED25519" -> "Ed25519";
            default -> throw new IllegalArgumentException("unsupported CA key algorithm " + key.getAlgorithm());
        };
        return new JcaContentSignerBuilder(alg).setProvider(BC).build(key);
    }

    private static BigInteger serial(SecureRandom random) {
        // RFC 5280: positive, at most 20 octets; 127 random bits + 1 keeps it positive and non-zero.
        return new BigInteger(127, random).add(BigInteger.ONE);
    }

    private static boolean keyMatches(PrivateKey key, PublicKey pub) {
        try {
            String alg = switch (key.getAlgorithm()) {
                case "EC", "ECDSA" -> "SHA256withECDSA";
                case "RSA" -> "SHA256withRSA";
                default -> "Ed25519";
            };
            byte[] probe = "flywheel-ca-key-check".getBytes(StandardCharsets.US_ASCII);
            Signature s = Signature.getInstance(alg, BC);
            s.initSign(key);
            s.update(probe);
            byte[] sig = s.sign();
            Signature v = Signature.getInstance(alg, BC);
            v.initVerify(pub);
            v.update(probe);
            return v.verify(sig);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static void requireThingName(String deviceId) {
        if (deviceId == null || !THING_NAME.matcher(deviceId).matches()) {
            throw new IllegalArgumentException("device id '" + (deviceId == null ? "null" : truncate(deviceId))
                    + "' is not a valid thing name " + THING_NAME.pattern());
        }
    }

    private static void requireAcceptedKey(PublicKey key) {
        if (key instanceof ECPublicKey ec) {
            String curve = curveName(ec);
            if (curve == null || !EC_CURVES_ACCEPTED.contains(curve)) {
                throw new InvalidCsrException("CSR key is on an unsupported curve"
                        + (curve == null ? "" : " (" + curve + ")") + "; use P-256, P-384 or P-521");
            }
            return;
        }
        if (key instanceof RSAPublicKey rsa) {
            if (rsa.getModulus().bitLength() < 2048) {
                throw new InvalidCsrException("CSR RSA key has " + rsa.getModulus().bitLength()
                        + " bits; at least 2048 are required");
            }
            return;
        }
        throw new InvalidCsrException("CSR key algorithm " + key.getAlgorithm() + " is not accepted; use EC or RSA");
    }

    private static String curveName(ECPublicKey key) {
        int bits = key.getParams().getCurve().getField().getFieldSize();
        // Identify the curve by its parameters against the named NIST curves.
        for (String name : new String[]{"secp256r1", "secp384r1", "secp521r1"}) {
            var spec = org.bouncycastle.jce.ECNamedCurveTable.getParameterSpec(name);
            if (spec.getCurve().getFieldSize() == bits
                    && spec.getCurve().getA().toBigInteger().equals(key.getParams().getCurve().getA())
                    && spec.getCurve().getB().toBigInteger().equals(key.getParams().getCurve().getB())
                    && spec.getN().equals(key.getParams().getOrder())) {
                return name;
            }
        }
        return null;
    }

    private static String commonNameOf(X500Name subject) {
        RDN[] cns = subject.getRDNs(BCStyle.CN);
        if (cns.length != 1 || cns[0].isMultiValued()) {
            throw new InvalidCsrException("CSR subject must have exactly one CN (the thing name); found "
                    + cns.length + " in '" + truncate(subject.toString()) + "'");
        }
        AttributeTypeAndValue atv = cns[0].getFirst();
        ASN1Encodable value = atv.getValue();
        if (!(value instanceof ASN1String text)) {
            throw new InvalidCsrException("CSR subject CN is not a string");
        }
        return text.getString();
    }

    private static String truncate(String s) {
        return s.length() > 64 ? s.substring(0, 64) + "..." : s;
    }
}
