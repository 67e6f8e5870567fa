package dev.flywheel.device.pki;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.bouncycastle.util.io.pem.PemReader;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LocalCertificateAuthorityTest {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final LocalCertificateAuthority CA =
            LocalCertificateAuthority.createSelfSigned("Flywheel Test CA", Duration.ofDays(30), RANDOM);

    @TempDir
    Path dir;

    // ---------------------------------------------------------------------------------------------

    @Nested
    class Issue {
        @Test
        void certificateChainsToTheCaAndNamesTheDevice() throws Exception {
            IssuedCertificate issued = CA.issue("dev-0001");

            X509Certificate cert = issued.certificate();
            assertChainsTo(cert, CA.caCertificate());
            assertEquals("CN=dev-0001", cert.getSubjectX500Principal().getName());
            assertEquals(CA.caCertificate().getSubjectX500Principal(), cert.getIssuerX500Principal());
            assertEquals(-1, cert.getBasicConstraints(), "a device certificate must not be a CA");
            assertTrue(cert.getExtendedKeyUsage().contains("1.3.6.1.5.5.7.3.2"), "clientAuth EKU");
            assertTrue(cert.getKeyUsage()[0], "digitalSignature");
            assertTrue(cert.getNotAfter().toInstant().isBefore(
                    CA.caCertificate().getNotAfter().toInstant().plusSeconds(1)), "never outlives the CA");
            assertEquals("dev-0001", issued.deviceId());
            assertEquals(64, issued.certificateId().length());
        }

        @Test
        void privateKeyBelongsToTheCertificate() throws Exception {
            IssuedCertificate issued = CA.issue("dev-0002");
            PrivateKey key = LocalCertificateAuthority.parsePrivateKey(issued.privateKeyPem(), "key");
            assertTrue(issued.privateKeyPem().startsWith("-----BEGIN PRIVATE KEY-----"), "PKCS#8 PEM");
            byte[] msg = "hello".getBytes(StandardCharsets.US_ASCII);
            Signature s = Signature.getInstance("SHA256withECDSA", new BouncyCastleProvider());
            s.initSign(key);
            s.update(msg);
            byte[] sig = s.sign();
            Signature v = Signature.getInstance("SHA256withECDSA");
            v.initVerify(issued.certificate().getPublicKey());
            v.update(msg);
            assertTrue(v.verify(sig));
        }

        @Test
        void serialsAreUniqueAndPositive() {
            var a = CA.issue("dev-a").certificate().getSerialNumber();
            var b = CA.issue("dev-a").certificate().getSerialNumber();
            assertNotEquals(a, b);
            assertTrue(a.signum() > 0 && b.signum() > 0);
        }

        @ParameterizedTest
        @ValueSource(strings = {"", "has space", "slash/y", "plus+", "tooLong-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"})
        void refusesDeviceIdsThatAreNotThingNames(String id) {
            assertThrows(IllegalArgumentException.class, () -> CA.issue(id));
        }

        @Test
        void writesPemFilesWithAPrivateKeyFile() throws Exception {
            IssuedCertificate issued = CA.issue("dev:0003_x");
            CertificateFiles files = issued.writeTo(dir.resolve("certs"));

            assertEquals(dir.resolve("certs/dev:0003_x.cert.pem"), files.certPath());
            assertEquals(dir.resolve("certs/dev:0003_x.key.pem"), files.keyPath());
            X509Certificate reread = LocalCertificateAuthority.parseCertificate(Files.readString(files.certPath()), "cert");
            assertEquals(issued.certificate(), reread);
            assertEquals(issued.privateKeyPem(), Files.readString(files.keyPath()));
            if (Files.getFileStore(dir).supportsFileAttributeView("posix")) {
                assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                        Files.getPosixFilePermissions(files.keyPath()));
            }
            // Writing again replaces the files.
            CertificateFiles again = CA.issue("dev:0003_x").writeTo(dir.resolve("certs"));
            assertNotEquals(issued.certificatePem(), Files.readString(again.certPath()));
        }
    }

    // ---------------------------------------------------------------------------------------------

    @Nested
    class Load {
        @Test
        void loadsPkcs8CaFilesAndIssuesCertificatesThatChainToThem() throws Exception {
            CertificateFiles caFiles = CA.writeCaFiles(dir.resolve("ca.crt"), dir.resolve("ca.key"));
            assertTrue(Files.readString(caFiles.keyPath()).startsWith("-----BEGIN PRIVATE KEY-----"));

            LocalCertificateAuthority loaded = LocalCertificateAuthority.load(caFiles.certPath(), caFiles.keyPath());

            assertEquals(CA.caCertificate(), loaded.caCertificate());
            assertChainsTo(loaded.issue("dev-9").certificate(), CA.caCertificate());
        }

        @Test
        void loadsSec1EcKeysToo() throws Exception {
            KeyPair caKeys = LocalCertificateAuthority.generateTlsKeyPair(RANDOM);
            LocalCertificateAuthority ca = selfSignedWith(caKeys);
            Path cert = ca.writeCaCertificate(dir.resolve("ca.crt"));
            StringWriter sec1 = new StringWriter();
            try (JcaPEMWriter w = new JcaPEMWriter(sec1)) {
                w.writeObject(caKeys); // OpenSSL "traditional" form: -----BEGIN EC PRIVATE KEY-----
            }
            assertTrue(sec1.toString().startsWith("-----BEGIN EC PRIVATE KEY-----"));
            Path key = Files.writeString(dir.resolve("ca.sec1.key"), sec1.toString());

            assertChainsTo(LocalCertificateAuthority.load(cert, key).issue("x").certificate(), ca.caCertificate());
        }

        @Test
        void refusesAKeyThatIsNotTheCertificates() throws Exception {
            Path cert = CA.writeCaCertificate(dir.resolve("ca.crt"));
            LocalCertificateAuthority other = LocalCertificateAuthority.createSelfSigned("Other", Duration.ofDays(1), RANDOM);
            Path otherKey = other.writeCaFiles(dir.resolve("o.crt"), dir.resolve("o.key")).keyPath();

            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> LocalCertificateAuthority.load(cert, otherKey));
            assertTrue(e.getMessage().contains("does not belong"), e.getMessage());
        }

        @Test
        void refusesALeafCertificateAsCa() {
            IssuedCertificate leaf = CA.issue("leaf");
            PrivateKey leafKey = LocalCertificateAuthority.parsePrivateKey(leaf.privateKeyPem(), "k");
            assertThrows(IllegalArgumentException.class, () -> LocalCertificateAuthority.fromKeyAndCertificate(
                    leaf.certificate(), leafKey, RANDOM, java.time.Clock.systemUTC(), Duration.ofDays(1)));
        }

        @Test
        void refusesFilesThatAreNotPem() throws Exception {
            Path junk = Files.writeString(dir.resolve("junk.pem"), "not a pem file");
            Path key = CA.writeCaFiles(dir.resolve("ca.crt"), dir.resolve("ca.key")).keyPath();
            assertThrows(IllegalArgumentException.class, () -> LocalCertificateAuthority.load(junk, key));
            assertThrows(IllegalArgumentException.class,
                    () -> LocalCertificateAuthority.load(dir.resolve("ca.crt"), junk));
        }
    }

    // ---------------------------------------------------------------------------------------------

    @Nested
    class FromCsr {
        @Test
        void issuesForTheCsrKeyAndCommonName() throws Exception {
            KeyPair device = LocalCertificateAuthority.generateTlsKeyPair(RANDOM);
            String csr = LocalCertificateAuthority.createCsr("dev-csr-1", device);

            IssuedCertificate issued = CA.issueFromCsr(csr);

            assertEquals("dev-csr-1", issued.deviceId());
            assertEquals("CN=dev-csr-1", issued.certificate().getSubjectX500Principal().getName());
            assertArrayEquals(device.getPublic().getEncoded(), issued.certificate().getPublicKey().getEncoded());
            assertChainsTo(issued.certificate(), CA.caCertificate());
            assertNull(issued.privateKeyPem(), "the key never left the device");
            CertificateFiles files = issued.writeTo(dir);
            assertNull(files.keyPath());
            assertTrue(Files.exists(files.certPath()));
        }

        @Test
        void keepsOnlyTheCommonNameOfTheRequestedSubject() throws Exception {
            KeyPair device = LocalCertificateAuthority.generateTlsKeyPair(RANDOM);
            X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                    .addRDN(BCStyle.C, "DE").addRDN(BCStyle.O, "Maker").addRDN(BCStyle.CN, "dev-csr-2").build();
            IssuedCertificate issued = CA.issueFromCsr(csr(subject, device.getPublic(), device.getPrivate(), "SHA256withECDSA"));
            assertEquals("CN=dev-csr-2", issued.certificate().getSubjectX500Principal().getName());
        }

        @Test
        void acceptsP384AndRsa2048() throws Exception {
            KeyPair p384 = keyPair("EC", new ECGenParameterSpec("secp384r1"));
            assertEquals("CN=p384", CA.issueFromCsr(csr(cn("p384"), p384.getPublic(), p384.getPrivate(), "SHA384withECDSA"))
                    .certificate().getSubjectX500Principal().getName());
            KeyPair rsa = keyPair("RSA", null);
            assertEquals("CN=rsa", CA.issueFromCsr(csr(cn("rsa"), rsa.getPublic(), rsa.getPrivate(), "SHA256withRSA"))
                    .certificate().getSubjectX500Principal().getName());
        }

        @Test
        void rejectsACsrWhoseContentWasTamperedWith() throws Exception {
            KeyPair device = LocalCertificateAuthority.generateTlsKeyPair(RANDOM);
            String csr = LocalCertificateAuthority.createCsr("dev-aaaa", device);
            byte[] der = der(csr);
            int at = indexOf(der, "dev-aaaa".getBytes(StandardCharsets.US_ASCII));
            der[at + 4] = 'b'; // still a valid thing name and valid DER: only the signature can tell

            InvalidCsrException e = assertThrows(InvalidCsrException.class, () -> CA.issueFromCsr(pem(der)));
            assertTrue(e.getMessage().contains("signature"), e.getMessage());
        }

        @Test
        void rejectsACsrSignedByAnotherKeyThanTheOneItCarries() throws Exception {
            KeyPair claimed = LocalCertificateAuthority.generateTlsKeyPair(RANDOM);
            KeyPair signer = LocalCertificateAuthority.generateTlsKeyPair(RANDOM);
            String csr = csr(cn("dev-x"), claimed.getPublic(), signer.getPrivate(), "SHA256withECDSA");

            InvalidCsrException e = assertThrows(InvalidCsrException.class, () -> CA.issueFromCsr(csr));
            assertTrue(e.getMessage().contains("does not verify"), e.getMessage());
        }

        @Test
        void rejectsACorruptedSignature() throws Exception {
            KeyPair device = LocalCertificateAuthority.generateTlsKeyPair(RANDOM);
            byte[] der = der(LocalCertificateAuthority.createCsr("dev-y", device));
            der[der.length - 3] ^= 0x01; // inside the ECDSA signature's s value

            assertThrows(InvalidCsrException.class, () -> CA.issueFromCsr(pem(der)));
        }

        @ParameterizedTest
        @ValueSource(strings = {"bad name", "a/b", "emoji-\u00e9", ""})
        void rejectsACommonNameThatIsNotAThingName(String name) throws Exception {
            KeyPair device = LocalCertificateAuthority.generateTlsKeyPair(RANDOM);
            String csr = csr(cn(name), device.getPublic(), device.getPrivate(), "SHA256withECDSA");

            InvalidCsrException e = assertThrows(InvalidCsrException.class, () -> CA.issueFromCsr(csr));
            assertTrue(e.getMessage().contains("thing name"), e.getMessage());
        }

        @Test
        void rejectsSubjectsWithoutExactlyOneCommonName() throws Exception {
            KeyPair device = LocalCertificateAuthority.generateTlsKeyPair(RANDOM);
            X500Name none = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "Maker").build();
            X500Name two = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, "a").addRDN(BCStyle.CN, "b").build();
            for (X500Name subject : List.of(none, two)) {
                String csr = csr(subject, device.getPublic(), device.getPrivate(), "SHA256withECDSA");
                InvalidCsrException e = assertThrows(InvalidCsrException.class, () -> CA.issueFromCsr(csr));
                assertTrue(e.getMessage().contains("exactly one CN"), e.getMessage());
            }
        }

        @Test
        void rejectsWeakRsaKeys() throws Exception {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
            gen.initialize(1024, RANDOM);
            KeyPair weak = gen.generateKeyPair();
            InvalidCsrException e = assertThrows(InvalidCsrException.class,
                    () -> CA.issueFromCsr(csr(cn("weak"), weak.getPublic(), weak.getPrivate(), "SHA256withRSA")));
            assertTrue(e.getMessage().contains("2048"), e.getMessage());
        }

        @Test
        void rejectsCurvesIotCoreDoesNotAccept() throws Exception {
            KeyPair k1 = keyPair("EC", new ECGenParameterSpec("secp256k1"));
            InvalidCsrException e = assertThrows(InvalidCsrException.class,
                    () -> CA.issueFromCsr(csr(cn("k1"), k1.getPublic(), k1.getPrivate(), "SHA256withECDSA")));
            assertTrue(e.getMessage().contains("curve"), e.getMessage());
        }

        @Test
        void rejectsInputThatIsNotACsr() throws Exception {
            String certPem = CA.caCertificatePem();
            String csr = LocalCertificateAuthority.createCsr("dev-z", LocalCertificateAuthority.generateTlsKeyPair(RANDOM));
            String truncated = csr.substring(0, csr.length() / 2) + "\n-----END CERTIFICATE REQUEST-----\n";
            String garbageBody = "-----BEGIN CERTIFICATE REQUEST-----\nAAAAAAAAAAAA\n-----END CERTIFICATE REQUEST-----\n";
            for (String bad : new String[]{null, "", "   ", "hello", certPem, truncated, garbageBody}) {
                InvalidCsrException e = assertThrows(InvalidCsrException.class, () -> CA.issueFromCsr(bad),
                        "accepted: " + bad);
                assertFalse(e.getMessage().isBlank());
            }
        }
    }

    // ---------------------------------------------------------------------------------------------

    static void assertChainsTo(X509Certificate leaf, X509Certificate ca) throws Exception {
        leaf.verify(ca.getPublicKey());
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(ca, null)));
        params.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX").validate(cf.generateCertPath(List.of(leaf)), params);
    }

    private static LocalCertificateAuthority selfSignedWith(KeyPair keys) throws Exception {
        // Build a CA certificate for a given key through the public API's own issuer path.
        X500Name name = cn("Sec1 CA");
        var builder = new org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder(name, java.math.BigInteger.TEN,
                new java.util.Date(System.currentTimeMillis() - 60_000), new java.util.Date(System.currentTimeMillis() + 86_400_000L),
                name, keys.getPublic())
                .addExtension(org.bouncycastle.asn1.x509.Extension.basicConstraints, true,
                        new org.bouncycastle.asn1.x509.BasicConstraints(true));
        X509Certificate cert = new org.bouncycastle.cert.jcajce.JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
        return LocalCertificateAuthority.fromKeyAndCertificate(cert, keys.getPrivate(), RANDOM,
                java.time.Clock.systemUTC(), Duration.ofDays(1));
    }

    private static X500Name cn(String name) {
        return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, name).build();
    }

    private static KeyPair keyPair(String alg, ECGenParameterSpec spec) throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance(alg, new BouncyCastleProvider());
        if (spec != null) {
            gen.initialize(spec, RANDOM);
        } else {
            gen.initialize(2048, RANDOM);
        }
        return gen.generateKeyPair();
    }

    private static String csr(X500Name subject, java.security.PublicKey pub, PrivateKey signer, String alg) throws Exception {
        PKCS10CertificationRequest req = new JcaPKCS10CertificationRequestBuilder(subject, pub)
                .build(new JcaContentSignerBuilder(alg).setProvider(new BouncyCastleProvider()).build(signer));
        return pem(req.getEncoded());
    }

    private static byte[] der(String pem) throws Exception {
        try (PemReader r = new PemReader(new StringReader(pem))) {
            return r.readPemObject().getContent();
        }
    }

    private static String pem(byte[] der) {
        return "-----BEGIN CERTIFICATE REQUEST-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END CERTIFICATE REQUEST-----\n";
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
