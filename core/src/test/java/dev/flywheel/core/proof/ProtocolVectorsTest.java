package dev.flywheel.core.proof;

import dev.flywheel.core.types.coverage.CoverageBeacon;
import dev.flywheel.core.types.coverage.CoverageWitness;
import dev.flywheel.core.types.energy.MeterReading;
import dev.flywheel.core.types.mobility.GnssFix;
import dev.flywheel.core.types.mobility.LocationTrace;
import dev.flywheel.core.types.sensor.SensorReading;
import dev.flywheel.core.types.uptime.ChallengeResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.core.crypto.DeviceSigningKey;
import dev.flywheel.core.crypto.Encoding;
import dev.flywheel.core.crypto.Keccak256;
import dev.flywheel.core.crypto.SignatureScheme;
import dev.flywheel.core.json.CanonicalJson;
import dev.flywheel.core.types.coverage.BeaconPayload;
import dev.flywheel.core.verify.InboundProof;
import dev.flywheel.core.verify.ProofVerifier;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
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

    /** Sample data of the coverage and uptime vectors, written out here as independent anchors. */
    private static final String ENTROPY = "54fe9b7abdf7bd25ea072418bafed8c6ae38a106ab600f2eb89032d4f3ab0188";
    private static final String BEACON_PAYLOAD = "9vX9aZjweVB1_Z6Jtt7DqVNG7w5p1VhFj_mDLqhHjEo";
    private static final String BEACON_ID = "e934f6ddbf1e05c021f4f3826f5b45942331a870f272d1b85c1e5a50c02f03ed";
    private static final String CHALLENGE = "3ae4f241521279a0dbf6cede31db51524e8b3c31922644f15be495407af25169";
    private static final String RESPONSE = "646e6ab3b7d4e3ef60a7495f1d54ca1541aabffb37b5e00034bb3b9bcf3feaca";
    private static final long TIME = 1_764_072_000_000L;

    /**
     * The body record each vector of a type other than {@code sensor.reading} must decode to (sensor vectors are
     * checked against a record built from their body members, as before).
     */
    private static final Map<String, ProofBody> EXPECTED_BODIES = Map.of(
            "p256-sha256-coverage-beacon",
            new CoverageBeacon(ENTROPY, 868_100_000L, "sf7bw125", 140, BEACON_PAYLOAD, BEACON_ID),
            "ed25519-coverage-witness",
            new CoverageWitness("vec-beaconer", BEACON_ID, BEACON_PAYLOAD, -1085, 55, 868_100_000L, TIME - 1_200),
            "secp256k1-keccak256-mobility-trace",
            new LocationTrace(List.of(
                    new GnssFix(TIME - 3_000, 407_128_000, -740_060_000, 9, 12, "3d"),
                    new GnssFix(TIME - 2_000, 407_128_900, -740_060_000, 9, 12, "3d"),
                    new GnssFix(TIME - 1_000, 407_129_800, -740_059_500, 8, 13, "3d"))),
            "ed25519-energy-meter",
            new MeterReading("meter_01", TIME - 900_000, TIME, 1_234_567, 5_000, OptionalLong.of(1_234_067)),
            "p256-sha256-uptime-response",
            new ChallengeResponse(CHALLENGE, RESPONSE, 42));

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
        // The standalone rules (sensor, mobility, energy) run as in production. Coverage and uptime rules need ports
        // (network entropy, witness windows, the challenge store), so their vectors pass a rule that checks nothing:
        // the verifier still runs format, identity, time and signature checks on them.
        List<ProofRule<?>> rules = new ArrayList<>(PlausibilityChecks.standaloneRules());
        rules.add(new Unchecked<>(CoverageBeacon.class));
        rules.add(new Unchecked<>(CoverageWitness.class));
        rules.add(new Unchecked<>(ChallengeResponse.class));
        verifier = new ProofVerifier(id -> Optional.ofNullable(REGISTRY.get(id)), id -> false,
                VerificationPolicy.defaults(), new PlausibilityChecks(rules));
    }

    /** A plausibility rule that accepts everything: for the types whose real rules need ports. */
    private record Unchecked<B extends ProofBody>(Class<B> bodyType) implements ProofRule<B> {
        @Override
        public Optional<PlausibilityChecks.Failure> check(ProofEnvelope proof, B body, DeviceRecord device,
                                                          Optional<PriorProof> prior) {
            return Optional.empty();
        }
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

        // At least one signed vector per registered proof type (here, or in the type's own file
        // vectors/<type with '-' for '.'>-v1.json, e.g. bandwidth-receipt-v1.json), and an expected body for every non-sensor vector.
        Set<String> types = new HashSet<>();
        for (JsonNode v : root.get("vectors")) {
            String type = text(v.get("unsigned"), "type");
            types.add(type);
            if (!type.equals(SensorReading.TYPE)) {
                assertTrue(EXPECTED_BODIES.containsKey(text(v, "name")), "no expected body for " + text(v, "name"));
            }
        }
        Set<String> registered = new HashSet<>(ProofTypes.builtIn().wireTypes());
        registered.removeIf(t -> ProtocolVectorsTest.class.getResource("/vectors/" + t.replace('.', '-') + "-v1.json") != null);
        assertEquals(registered, types);
        EXPECTED_BODIES.keySet().forEach(name -> assertNotNull(BY_NAME.get(name), "missing vector " + name));

        Set<String> names = new HashSet<>();
        Set<RejectionReason> reasons = new HashSet<>();
        for (JsonNode v : root.get("negative")) {
            names.add(text(v, "name"));
            reasons.add(ProofTypes.reason(text(v, "expectedReason")).orElseThrow());
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
    void coverageAndUptimeVectorsFollowTheirDocumentedDerivations() {
        JsonNode beacon = BY_NAME.get("p256-sha256-coverage-beacon");
        JsonNode body = beacon.get("unsigned").get("body");
        String entropy = text(body, "entropy");
        assertEquals(Encoding.hex(Encoding.sha256("flywheel v1 test vector entropy".getBytes(StandardCharsets.UTF_8))), entropy);
        // payload = SHA-256(entropy bytes || UTF-8(beaconer device id)); id = hex SHA-256(payload bytes)
        assertEquals(BeaconPayload.deriveBase64Url(entropy, text(beacon, "device")), text(body, "payload"));
        assertEquals(BeaconPayload.beaconId(Encoding.fromBase64Url(text(body, "payload"))), text(body, "id"));

        JsonNode witness = BY_NAME.get("ed25519-coverage-witness").get("unsigned").get("body");
        assertEquals(text(beacon, "device"), text(witness, "beaconer"));
        assertEquals(text(body, "id"), text(witness, "beacon"));
        assertEquals(text(body, "payload"), text(witness, "payload"));

        JsonNode uptime = BY_NAME.get("p256-sha256-uptime-response").get("unsigned").get("body");
        byte[] challenge = Encoding.fromHex(text(uptime, "challenge"));
        assertArrayEquals(Encoding.sha256("flywheel v1 test vector challenge".getBytes(StandardCharsets.UTF_8)), challenge);
        byte[] served = Encoding.sha256("flywheel v1 test vector served data".getBytes(StandardCharsets.UTF_8));
        byte[] input = Arrays.copyOf(challenge, challenge.length + served.length);
        System.arraycopy(served, 0, input, challenge.length, served.length);
        assertEquals(Encoding.hex(Encoding.sha256(input)), text(uptime, "response"));
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
        ProofBody expected = expectedBody(v);
        assertEquals(text(unsigned, "type"), expected.type());
        byte[] encoded = ProofCodec.encode(text(unsigned, "device"), unsigned.get("seq").longValue(),
                Instant.ofEpochMilli(unsigned.get("time").longValue()), h3.isTextual() ? h3.textValue() : null, expected, key);
        assertEquals(text(v, "wire"), new String(encoded, StandardCharsets.UTF_8));
        assertArrayEquals(encoded, ProofCodec.withSignature(unsigned, scheme, signature));

        // Decoding the wire message gives back the same signed bytes and id, and the verifier accepts it.
        ProofEnvelope decoded = ProofCodec.decode(encoded);
        assertArrayEquals(canonical, decoded.signedBytes());
        assertEquals(text(v, "proofId"), decoded.proofId());
        assertArrayEquals(signature, decoded.signature());
        assertEquals(scheme, decoded.scheme());
        assertEquals(expected, decoded.body(), "decoded body record");
        assertEquals(expected, ProofTypes.builtIn().decode(text(unsigned, "type"), (ObjectNode) body), "body codec");
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
            RejectionReason expected = ProofTypes.reason(text(v, "expectedReason"))
                    .orElseThrow(() -> new AssertionError("no registered reason code " + text(v, "expectedReason")));
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

    private static ProofBody expectedBody(JsonNode v) {
        JsonNode unsigned = v.get("unsigned");
        if (text(unsigned, "type").equals(SensorReading.TYPE)) {
            JsonNode body = unsigned.get("body");
            return new SensorReading(text(body, "metric"), body.get("value").doubleValue(), text(body, "unit"));
        }
        ProofBody expected = EXPECTED_BODIES.get(text(v, "name"));
        assertNotNull(expected, "no expected body for " + text(v, "name"));
        return expected;
    }

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
