package dev.flywheel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flywheel.core.crypto.EvmSignatures;
import dev.flywheel.core.crypto.SignatureScheme;
import dev.flywheel.core.onboarding.OwnerBinding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Keys;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** keygen and sign-binding offline: the signatures they write are the ones the registry's rules accept. */
class SignBindingTest {
    @TempDir
    Path dir;

    private int run(String... args) {
        return FlywheelCli.run(args, new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
    }

    @Test
    void deviceAndOwnerSignaturesVerify() throws Exception {
        Credentials owner = Credentials.create(Keys.createEcKeyPair());
        Path ownerKey = dir.resolve("owner.key");
        Files.writeString(ownerKey, "0x" + String.format("%064x", owner.getEcKeyPair().getPrivateKey()) + "\n");
        for (SignatureScheme scheme : SignatureScheme.values()) {
            String id = "dev-" + scheme.ordinal();
            assertEquals(0, run("keygen", "--device-id", id, "--scheme", scheme.wireId(), "--out", dir.toString()));
            assertTrue(Files.readString(dir.resolve(id + ".csr.pem")).contains("BEGIN CERTIFICATE REQUEST"));
            Path binding = dir.resolve(id + ".binding.json");
            assertEquals(0, run("sign-binding", "--binding", binding.toString(), "--device-key", dir.resolve(id + ".signing.json").toString(),
                    "--owner", owner.getAddress(), "--nonce", "1", "--chain-id", "80002"));
            assertEquals(0, run("sign-binding", "--binding", binding.toString(), "--owner-key", ownerKey.toString()));
            // A different owner key than the binding's owner is refused, and nothing is overwritten.
            Path otherKey = dir.resolve("other.key");
            Files.writeString(otherKey, "0x" + String.format("%064x", Keys.createEcKeyPair().getPrivateKey()));
            assertNotEquals(0, run("sign-binding", "--binding", binding.toString(), "--owner-key", otherKey.toString()));

            JsonNode b = KeyFiles.JSON.readTree(binding.toFile());
            OwnerBinding expected = new OwnerBinding(id, owner.getAddress(), 1, 80002);
            var key = KeyFiles.readDeviceKey(dir.resolve(id + ".signing.json")).key();
            assertTrue(scheme.verify(key.publicKey(), expected.deviceMessage(),
                    dev.flywheel.core.crypto.Encoding.fromBase64Url(b.path("deviceSignature").asText())), scheme.wireId());
            byte[] sig = HexFormat.of().parseHex(b.path("ownerSignature").asText().substring(2));
            assertEquals(owner.getAddress().toLowerCase(), EvmSignatures.recoverAddress(expected.eip712Digest(), sig).orElseThrow());
        }
    }

    @Test
    void aBindingFileCannotBeSilentlyRetargeted() {
        Path binding = dir.resolve("b.json");
        assertEquals(0, run("keygen", "--device-id", "d1", "--out", dir.toString()));
        assertEquals(0, run("sign-binding", "--binding", binding.toString(), "--device-key", dir.resolve("d1.signing.json").toString(),
                "--owner", "0x" + "aa".repeat(20), "--nonce", "1", "--chain-id", "80002"));
        assertNotEquals(0, run("sign-binding", "--binding", binding.toString(), "--device-key", dir.resolve("d1.signing.json").toString(),
                "--nonce", "2"));
    }
}
