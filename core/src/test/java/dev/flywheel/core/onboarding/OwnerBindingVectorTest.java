package dev.flywheel.core.onboarding;

import dev.flywheel.core.crypto.DeviceSigningKey;
import dev.flywheel.core.crypto.Encoding;
import dev.flywheel.core.crypto.EvmSignatures;
import dev.flywheel.core.crypto.Keccak256;
import dev.flywheel.core.crypto.SignatureScheme;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Sign;
import org.web3j.crypto.StructuredDataEncoder;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * The owner-binding vector published in docs/protocol.md ("Owner-binding vector (EIP-712)"), sibling of
 * {@code ProtocolVectorsTest}: every value in the document's block is recomputed here, the EIP-712 ones
 * also with web3j's independent {@link StructuredDataEncoder}, and the registry's rules accept the
 * signatures it lists. Changing the code or the document alone fails this test.
 */
class OwnerBindingVectorTest {
    private static final Path DOC = Path.of("..", "docs", "protocol.md");
    private static final Pattern BLOCK = Pattern.compile("<!-- vector: owner-binding -->\\s*```text\\n(.*?)```", Pattern.DOTALL);

    /** The block's {@code name  value} lines, in order. */
    private static Map<String, String> documented() throws IOException {
        Assumptions.assumeTrue(Files.exists(DOC), "docs/protocol.md not found (tests run in the module directory)");
        Matcher m = BLOCK.matcher(Files.readString(DOC));
        assertEquals(true, m.find(), "docs/protocol.md has no '<!-- vector: owner-binding -->' block");
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : m.group(1).split("\n")) {
            if (!line.isBlank()) {
                String[] kv = line.strip().split("\\s+", 2);
                out.put(kv[0], kv[1]);
            }
        }
        return out;
    }

    /** What the values are, from the inputs alone. */
    static Map<String, String> computed(Map<String, String> in) {
        String deviceId = in.get("deviceId");
        String owner = in.get("owner");
        long nonce = Long.parseLong(in.get("nonce"));
        long chainId = Long.parseLong(in.get("chainId"));
        DeviceSigningKey device = DeviceSigningKey.fromPrivateKey(SignatureScheme.ED25519, Encoding.fromHex(in.get("devicePrivateKeyHex")));
        Credentials wallet = Credentials.create(in.get("ownerPrivateKeyHex"));
        OwnerBinding binding = new OwnerBinding(deviceId, owner, nonce, chainId);

        Map<String, String> out = new LinkedHashMap<>();
        out.put("ownerAddress", wallet.getAddress().toLowerCase());
        out.put("ownerEip55", EvmSignatures.checksummed(owner));
        out.put("devicePublicKeyHex", Encoding.hex(device.publicKey()));
        out.put("deviceMessage", new String(binding.deviceMessage(), StandardCharsets.UTF_8));
        out.put("deviceSignatureHex", Encoding.hex(device.sign(binding.deviceMessage())));
        out.put("deviceMessageEip55", new String(binding.deviceMessageChecksummed(), StandardCharsets.UTF_8));
        out.put("deviceSignatureEip55Hex", Encoding.hex(device.sign(binding.deviceMessageChecksummed())));
        out.put("domainTypeHash", Encoding.hex(Eip712.typeHash(Eip712.DOMAIN_TYPE)));
        out.put("domainSeparator", Encoding.hex(Keccak256.hash(Eip712.typeHash(Eip712.DOMAIN_TYPE), Eip712.string("Flywheel"),
                Eip712.string("1"), Eip712.uint(BigInteger.valueOf(chainId)))));
        out.put("typeHash", Encoding.hex(Eip712.typeHash(OwnerBinding.TYPE)));
        out.put("structHash", Encoding.hex(Keccak256.hash(Eip712.typeHash(OwnerBinding.TYPE), Eip712.string(deviceId),
                Eip712.address(owner), Eip712.uint(BigInteger.valueOf(nonce)))));
        out.put("digest", Encoding.hex(binding.eip712Digest()));
        Sign.SignatureData sig = Sign.signMessage(binding.eip712Digest(), wallet.getEcKeyPair(), false);
        out.put("ownerSignature", "0x" + Encoding.hex(sig.getR()) + Encoding.hex(sig.getS()) + Encoding.hex(sig.getV()));
        return out;
    }

    @Test
    void theDocumentedVectorIsWhatTheCodeComputes() throws Exception {
        Map<String, String> doc = documented();
        Map<String, String> expected = computed(doc);
        for (Map.Entry<String, String> e : expected.entrySet()) {
            assertEquals(e.getValue(), doc.get(e.getKey()), "docs/protocol.md owner-binding vector, '" + e.getKey() + "'");
        }
    }

    @Test
    void anIndependentEip712EncoderAgrees() throws Exception {
        Map<String, String> doc = documented();
        String typedData = """
                {"types":{"EIP712Domain":[{"name":"name","type":"string"},{"name":"version","type":"string"},{"name":"chainId","type":"uint256"}],
                 "DeviceOwner":[{"name":"deviceId","type":"string"},{"name":"owner","type":"address"},{"name":"nonce","type":"uint256"}]},
                 "primaryType":"DeviceOwner","domain":{"name":"Flywheel","version":"1","chainId":%s},
                 "message":{"deviceId":"%s","owner":"%s","nonce":%s}}""".formatted(doc.get("chainId"), doc.get("deviceId"),
                doc.get("ownerEip55"), doc.get("nonce"));
        StructuredDataEncoder encoder = new StructuredDataEncoder(typedData);
        assertEquals(doc.get("domainSeparator"), Encoding.hex(encoder.hashDomain()));
        assertEquals(doc.get("digest"), Encoding.hex(encoder.hashStructuredData()));
    }

    @Test
    void theRegistryRulesAcceptBothDocumentedDeviceSignatures() throws Exception {
        Map<String, String> doc = documented();
        OwnerBinding binding = new OwnerBinding(doc.get("deviceId"), doc.get("owner"), Long.parseLong(doc.get("nonce")),
                Long.parseLong(doc.get("chainId")));
        OnboardingRules rules = new OnboardingRules(Long.parseLong(doc.get("chainId")), java.time.Duration.ofHours(24));
        byte[] publicKey = Encoding.fromHex(doc.get("devicePublicKeyHex"));
        byte[] ownerSig = Encoding.fromHex(doc.get("ownerSignature").substring(2));
        for (String sig : new String[]{"deviceSignatureHex", "deviceSignatureEip55Hex"}) {
            assertNotNull(doc.get(sig));
            assertEquals(Optional.empty(), rules.checkBinding(null, 0, binding, SignatureScheme.ED25519, publicKey,
                    Encoding.fromHex(doc.get(sig)), ownerSig, null), sig);
        }
        assertArrayEquals(Encoding.fromHex(doc.get("digest")), binding.eip712Digest());
    }

    /** Prints the block for docs/protocol.md from its inputs (run by hand when the vector must change). */
    public static void main(String[] args) {
        Map<String, String> in = new LinkedHashMap<>();
        in.put("deviceId", "vec-ed25519");
        in.put("owner", "0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
        in.put("nonce", "1");
        in.put("chainId", "80002");
        in.put("devicePrivateKeyHex", "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
        in.put("ownerPrivateKeyHex", "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
        in.putAll(computed(in));
        in.forEach((k, v) -> System.out.printf("%-24s %s%n", k, v));
    }
}
