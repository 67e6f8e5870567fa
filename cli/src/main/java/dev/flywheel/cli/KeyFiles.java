package dev.flywheel.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.core.crypto.DeviceSigningKey;
import dev.flywheel.core.crypto.Encoding;
import dev.flywheel.core.crypto.SignatureScheme;
import org.web3j.crypto.Credentials;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Key file formats the tool reads and writes.
 * <ul>
 *   <li>device signing key: JSON {@code {"deviceId", "scheme", "privateKey", "publicKey"}}, keys base64url
 *       (what a maker would load into the device's secure element; mode 600);</li>
 *   <li>owner wallet key: one line, {@code 0x} + 64 hex digits (the devnet's owner.key format).</li>
 * </ul>
 */
final class KeyFiles {
    static final ObjectMapper JSON = new ObjectMapper();

    private KeyFiles() {
    }

    record DeviceKeyFile(String deviceId, DeviceSigningKey key) {
    }

    static void writeDeviceKey(Path file, String deviceId, DeviceSigningKey key) throws IOException {
        ObjectNode o = JSON.createObjectNode();
        o.put("deviceId", deviceId);
        o.put("scheme", key.scheme().wireId());
        o.put("privateKey", Encoding.base64Url(key.privateKey()));
        o.put("publicKey", Encoding.base64Url(key.publicKey()));
        writePrivate(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(o) + "\n");
    }

    static DeviceKeyFile readDeviceKey(Path file) throws IOException {
        ObjectNode o = (ObjectNode) JSON.readTree(file.toFile());
        SignatureScheme scheme = SignatureScheme.fromWireId(o.path("scheme").asText())
                .orElseThrow(() -> new IllegalArgumentException(file + ": unknown scheme " + o.path("scheme")));
        DeviceSigningKey key = DeviceSigningKey.fromPrivateKey(scheme, Encoding.fromBase64Url(o.path("privateKey").asText()));
        // A file written with --compressed keeps the 33-byte public key: register and sign with that form.
        if (o.hasNonNull("publicKey") && Encoding.fromBase64Url(o.path("publicKey").asText()).length == 33) {
            key = key.withCompressedPublicKey();
        }
        return new DeviceKeyFile(o.path("deviceId").asText(null), key);
    }

    static Credentials readOwnerKey(Path file) throws IOException {
        String hex = Files.readString(file, StandardCharsets.US_ASCII).strip();
        if (!hex.matches("(0x)?[0-9a-fA-F]{64}")) {
            throw new IllegalArgumentException(file + ": expected 0x followed by 64 hex digits (a secp256k1 private key)");
        }
        return Credentials.create(hex);
    }

    static void writePrivate(Path file, String content) throws IOException {
        if (file.toAbsolutePath().getParent() != null) {
            Files.createDirectories(file.toAbsolutePath().getParent());
        }
        Files.writeString(file, content, StandardCharsets.UTF_8);
        try {
            Files.setPosixFilePermissions(file, Set.copyOf(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            // best effort on non-POSIX file systems
        }
    }
}
