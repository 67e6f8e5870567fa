package dev.flywheel.core.proof;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.core.crypto.DeviceSigningKey;
import dev.flywheel.core.crypto.Encoding;
import dev.flywheel.core.crypto.Keccak256;
import dev.flywheel.core.crypto.SignatureScheme;
import dev.flywheel.core.json.CanonicalJson;
import dev.flywheel.core.verify.DeviceRecord;
import dev.flywheel.core.verify.DeviceStatus;
import dev.flywheel.core.verify.InboundProof;
import dev.flywheel.core.verify.PlausibilityChecks;
import dev.flywheel.core.verify.ProofVerifier;
import dev.flywheel.core.verify.ReasonCode;
import dev.flywheel.core.verify.Verdict;
import dev.flywheel.core.verify.VerificationPolicy;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checks the implementation against the published protocol v1 vectors
 * ({@code vectors/proof-v1.json}, documented in {@code docs/protocol.md}). The file is the contract
 * firmware authors test against: if this test fails, either the code or the protocol changed.
 */
class ProtocolVectorsTest {

    private static final String RESOURCE = "/vectors/proof-v1.json";
    private static JsonNode root;
    private static final Map<String, JsonNode> BY_NAME = new HashMap<>();
    private static final Map<String, DeviceRecord> REGISTRY = new HashMap<>();
    private static ProofVerifier verifier;

    @BeforeAll
    static void load() throws IOException {
        try (InputStream in = ProtocolVectorsTest.class.getResourceAsStream(RESOURCE)) {
            assertNotNull(in, RESOURCE + " is missing from the test classpath");
            root = new ObjectMapper().readTree(in);
        }
        String owner = root.path("policy").path("owner").textValue();
        for (JsonNode v : root.get("vectors")) {
            BY_NAME.put(text(v, "name"), v);
            SignatureScheme scheme = scheme(v);
            REGISTRY.put(text(v, "device"), new DeviceRecord(text(v, "device"), scheme, hex(v, "publicKeyHex"), owner,
                    DeviceStatus.ACTIVE, v.path("unsigned").path("loc").path("h3").textValue()));
        }
        verifier = new ProofVerifier(id -> Optional.ofNullable(REGISTRY.get(id)), id -> false,
                VerificationPolicy.defaults(), PlausibilityChecks.defaults());
    }

    // ------------------------------------------------------------------ the file itself

    @Test
    void policyInTheFileMatchesTheImplementation() {
        JsonNode policy = root.get("policy");
        assertEquals(ProofCodec.MAX_PAYLOAD_BYTES, policy.get("maxPayloadBytes").intValue());
        assertEquals(VerificationPolicy.defaults().maxFutureSkew().toMillis(), policy.get("maxFutureSkewMillis").longValue());
        assertEquals(VerificationPolicy.defaults().maxAge().toMillis(), policy.get("maxAgeMillis").longValue());
    }

    @Test
    void vectorsCoverEverySchemeAndTheRequiredRejections() {
        Set<SignatureScheme> schemes = new HashSet<>();
        root.get("vectors").forEach(v -> schemes.add(scheme(v)));
        assertEquals(Set.of(SignatureScheme.values()), schemes);

        Set<String> names = new HashSet<>();
        Set<ReasonCode> reasons = new HashSet<>();
        for (JsonNode v : root.get("negative")) {
            names.add(text(v, "name"));
            reasons.add(ReasonCode.valueOf(text(v, "expectedReason").toUpperCase(java.util.Locale.ROOT)));
        }
        assertTrue(names.containsAll(List.of("tampered-value", "unsupported-alg", "p256-high-s-twin",
                "secp256k1-high-s-twin", "unknown-member", "oversize", "seq-beyond-2^53", "value-integer-beyond-2^53",
                "unsupported-version", "duplicate-key")), names.toString());
        assertTrue(reasons.containsAll(List.of(ReasonCode.BAD_SIGNATURE, ReasonCode.UNSUPPORTED_SIGNATURE_SCHEME,
                ReasonCode.SCHEMA_INVALID, ReasonCode.PAYLOAD_TOO_LARGE, ReasonCode.NON_CANONICAL_VALUE,
                ReasonCode.UNSUPPORTED_VERSION, ReasonCode.MALFORMED_JSON)), reasons.toString());
    }

    @Test
    void wellKnownKeysDeriveTheirPublishedPublicValues() {
        // RFC 8032 7.1 TEST 1 public key, and the Hardhat account #0 address: independent anchors.
        assertEquals("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
                text(BY_NAME.get("ed25519-temperature"), "publicKeyHex"));
        assertEquals("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266",
                text(BY_NAME.get("secp256k1-keccak256-pressure"), "evmAddress"));
        // RFC 6979 A.2.5: Ux = 60FED4BA...
        assertTrue(text(BY_NAME.get("p256-sha256-humidity"), "publicKeyHex").startsWith("0460fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6"));
    }

    @Test
    void everyReasonCodeIsDocumented() throws IOException {
        // Surefire runs in the module directory; skip when the docs are not next to it (e.g. a packaged test jar).
        java.nio.file.Path doc = java.nio.file.Path.of("..", "docs", "reason-codes.md");
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.exists(doc), "docs/reason-codes.md not found");
        String text = java.nio.file.Files.readString(doc);
        for (ReasonCode code : ReasonCode.values()) {
            assertTrue(text.contains("| `" + code.wire() + "` |"), code.wire() + " missing from docs/reason-codes.md");
        }
    }

    // ------------------------------------------------------------------ positive vectors

    @TestFactory
    Stream<DynamicTest> signedVectors() {
        return stream("vectors").map(v -> DynamicTest.dynamicTest(text(v, "name"), () -> checkSigned(v)));
    }

    private static void checkSigned(JsonNode v) throws Exception {
        SignatureScheme scheme = scheme(v);
        byte[] privateKey = hex(v, "privateKeyHex");
        byte[] publicKey = hex(v, "publicKeyHex");
        DeviceSigningKey key = DeviceSigningKey.fromPrivateKey(scheme, privateKey);
        assertArrayEquals(publicKey, key.publicKey(), "public key derived from the private key");

        // Canonical bytes: from the unsigned envelope as written in the file (not canonical order).
        ObjectNode unsigned = (ObjectNode) v.get("unsigned");
        byte[] canonical = CanonicalJson.canonicalize(unsigned);
        assertEquals(text(v, "signedBytesUtf8"), new String(canonical, StandardCharsets.UTF_8));
        assertArrayEquals(hex(v, "signedBytesHex"), canonical);
        assertEquals(text(v, "proofId"), Encoding.hex(Encoding.sha256(canonical)));
        if (v.has("digestHex")) {
            assertArrayEquals(hex(v, "digestHex"), scheme.digest(canonical));
        }

        // Signature: verifies, and signing reproduces it byte for byte (Ed25519 / RFC 6979 are deterministic).
        byte[] signature = hex(v, "signatureHex");
        assertEquals(scheme.signatureLength(), signature.length);
        assertEquals(text(v, "signatureBase64Url"), Encoding.base64Url(signature));
        assertFalse(text(v, "signatureBase64Url").contains("="), "base64url without padding");
        assertTrue(scheme.verify(publicKey, canonical, signature));
        if (v.has("publicKeyCompressedHex")) {
            assertTrue(scheme.verify(hex(v, "publicKeyCompressedHex"), canonical, signature), "compressed SEC1 key");
        }
        assertArrayEquals(signature, key.sign(canonical));
        if (scheme == SignatureScheme.SECP256K1_KECCAK256) {
            int recovery = signature[64] & 0xFF;
            assertTrue(recovery == 27 || recovery == 28);
            byte[] hash = Keccak256.hash(Arrays.copyOfRange(publicKey, 1, 65));
            assertEquals(text(v, "evmAddress"), Encoding.hex0x(Arrays.copyOfRange(hash, 12, 32)));
        }

        // Wire message: ProofCodec.encode from the envelope's fields reproduces it exactly.
        JsonNode body = unsigned.get("body");
        JsonNode h3 = unsigned.path("loc").path("h3");
        SensorReading reading = new SensorReading(text(body, "metric"), body.get("value").doubleValue(), text(body, "unit"));
        byte[] encoded = ProofCodec.encode(text(unsigned, "device"), unsigned.get("seq").longValue(),
                Instant.ofEpochMilli(unsigned.get("time").longValue()), h3.isTextual() ? h3.textValue() : null, reading, key);
        assertEquals(text(v, "wire"), new String(encoded, StandardCharsets.UTF_8));
        assertArrayEquals(encoded, ProofCodec.withSignature(unsigned, scheme, signature));

        // Decoding the wire message gives back the same signed bytes and id, and the verifier accepts it.
        ProofEnvelope decoded = ProofCodec.decode(encoded);
        assertArrayEquals(canonical, decoded.signedBytes());
        assertEquals(text(v, "proofId"), decoded.proofId());
        assertArrayEquals(signature, decoded.signature());
        assertEquals(scheme, decoded.scheme());
        Verdict verdict = verify(text(v, "device"), unsigned.get("time").longValue(), text(v, "wire"));
        Verdict.Accepted accepted = assertInstanceOf(Verdict.Accepted.class, verdict, verdict::toString);
        assertEquals(text(v, "proofId"), accepted.proof().proofId());
    }

    @TestFactory
    Stream<DynamicTest> equivalentEncodings() {
        return stream("equivalentEncodings").map(v -> DynamicTest.dynamicTest(text(v, "name"), () -> {
            JsonNode base = BY_NAME.get(text(v, "base"));
            assertNotNull(base, "base vector " + text(v, "base"));
            assertEquals(text(base, "proofId"), text(v, "proofId"));
            ProofEnvelope decoded = ProofCodec.decode(text(v, "wire").getBytes(StandardCharsets.UTF_8));
            assertArrayEquals(hex(base, "signedBytesHex"), decoded.signedBytes());
            assertEquals(text(v, "proofId"), decoded.proofId());
            Verdict verdict = verify(text(v, "topicDevice"), v.get("receivedAt").longValue(), text(v, "wire"));
            Verdict.Accepted accepted = assertInstanceOf(Verdict.Accepted.class, verdict, verdict::toString);
            assertEquals(text(v, "proofId"), accepted.proof().proofId());
        }));
    }

    // ------------------------------------------------------------------ negative vectors

    @TestFactory
    Stream<DynamicTest> negativeVectors() {
        return stream("negative").map(v -> DynamicTest.dynamicTest(text(v, "name"), () -> {
            ReasonCode expected = ReasonCode.valueOf(text(v, "expectedReason").toUpperCase(java.util.Locale.ROOT));
            assertEquals(text(v, "expectedReason"), expected.wire());
            byte[] wire = text(v, "wire").getBytes(StandardCharsets.UTF_8);
            switch (text(v, "stage")) {
                case "decode" -> assertEquals(expected,
                        assertThrows(MalformedProofException.class, () -> ProofCodec.decode(wire)).reason());
                case "verify" -> ProofCodec.decode(wire); // well-formed: rejected later, by the verifier
                default -> throw new AssertionError("unknown stage " + text(v, "stage"));
            }
            Verdict verdict = verify(text(v, "topicDevice"), v.get("receivedAt").longValue(), text(v, "wire"));
            Verdict.Rejected rejected = assertInstanceOf(Verdict.Rejected.class, verdict, verdict::toString);
            assertEquals(expected, rejected.reason(), rejected.detail());
        }));
    }

    // ------------------------------------------------------------------ helpers

    private static Verdict verify(String topicDevice, long receivedAtMillis, String wire) {
        return verifier.verify(new InboundProof("vector-delivery", topicDevice, Instant.ofEpochMilli(receivedAtMillis),
                wire.getBytes(StandardCharsets.UTF_8)));
    }

    private static Stream<JsonNode> stream(String array) {
        JsonNode node = root.get(array);
        assertNotNull(node, "missing array " + array);
        assertFalse(node.isEmpty(), "empty array " + array);
        return StreamSupport.stream(node.spliterator(), false);
    }

    private static SignatureScheme scheme(JsonNode v) {
        return SignatureScheme.fromWireId(text(v, "scheme")).orElseThrow();
    }

    private static String text(JsonNode node, String name) {
        JsonNode n = node.get(name);
        assertNotNull(n, "missing member " + name);
        assertTrue(n.isTextual(), name + " must be a string");
        return n.textValue();
    }

    private static byte[] hex(JsonNode node, String name) {
        return Encoding.fromHex(text(node, name));
    }
}
