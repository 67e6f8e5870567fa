package dev.flywheel.device.pki;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.util.HexFormat;

/**
 * A client certificate issued by {@link LocalCertificateAuthority} for one device (thing name = CN).
 *
 * @param privateKeyPem PKCS#8 PEM of the TLS key generated with the certificate, or null when the
 *                      certificate was issued from a CSR (the key never left the device)
 */
public record IssuedCertificate(String deviceId, X509Certificate certificate, String certificatePem,
                                String privateKeyPem) {

    /** Lower-case hex serial number, e.g. for logs and for the devnet's certificate registry. */
    public String serialHex() {
        return certificate.getSerialNumber().toString(16);
    }

    /** Hex SHA-256 of the DER certificate: how IoT Core names a certificate (its certificateId). */
    public String certificateId() {
        try {
            return HexFormat.of().formatHex(
                    java.security.MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Writes {@code <deviceId>.cert.pem} and, when there is one, {@code <deviceId>.key.pem} (mode 600
     * where the file system is POSIX) into {@code dir}, creating it if needed.
     */
    public CertificateFiles writeTo(Path dir) {
        try {
            Files.createDirectories(dir);
            Path cert = dir.resolve(deviceId + ".cert.pem");
            writeAtomically(cert, certificatePem, false);
            Path key = null;
            if (privateKeyPem != null) {
                key = dir.resolve(deviceId + ".key.pem");
                writeAtomically(key, privateKeyPem, true);
            }
            return new CertificateFiles(cert, key);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the certificate of " + deviceId + " to " + dir, e);
        }
    }

    /** Writes just the private key (mode 600) to {@code file}. */
    void writeKeyFile(Path file) {
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            writeAtomically(file.toAbsolutePath(), privateKeyPem, true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static void writeAtomically(Path target, String content, boolean secret) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        boolean posix = Files.getFileStore(target.getParent()).supportsFileAttributeView("posix");
        if (posix) {
            // Created with the final mode, so the key is never readable by others even briefly.
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString(secret ? "rw-------" : "rw-r--r--")));
        }
        Files.writeString(tmp, content, StandardCharsets.US_ASCII);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
