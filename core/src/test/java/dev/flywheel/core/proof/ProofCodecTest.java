package dev.flywheel.core.proof;

import dev.flywheel.core.types.sensor.SensorReading;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.core.crypto.DeviceSigningKey;
import dev.flywheel.core.crypto.Encoding;
import dev.flywheel.core.crypto.SignatureScheme;
import dev.flywheel.core.json.CanonicalJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProofCodecTest {

    private static final Instant TIME = Instant.ofEpochMilli(1_764_072_000_000L);
    private static final String H3 = "8b2a100d2d1bfff";
    private static final SensorReading READING = new SensorReading("temperature", 21.5, "celsius");
    private static final DeviceSigningKey KEY = DeviceSigningKey.fromPrivateKey(SignatureScheme.ED25519,
            Encoding.fromHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
    private static final long MAX_SAFE = CanonicalJson.MAX_SAFE_INTEGER;

    private static byte[] honest() {
        return ProofCodec.encode("ws-1", 7, TIME, H3, READING, KEY);
    }

    private static ObjectNode tree(byte[] payload) throws Exception {
        return CanonicalJson.parseObject(payload);
    }

    /** The honest proof, changed by {@code edit}, written by plain Jackson (not canonical: the codec must not care). */
    private static byte[] edited(Consumer<ObjectNode> edit) throws Exception {
        ObjectNode root = tree(honest());
        edit.accept(root);
        return CanonicalJson.mapper().writeValueAsBytes(root);
    }

    private static byte[] text(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    private static ReasonCode reasonFor(byte[] payload) {
        return assertThrows(MalformedProofException.class, () -> ProofCodec.decode(payload)).reason();
    }

    private static ObjectNode body(ObjectNode root) {
        return (ObjectNode) root.get("body");
    }

    private static ObjectNode sig(ObjectNode root) {
        return (ObjectNode) root.get("sig");
    }

    // ---------------------------------------------------------------- round trip and signed bytes

    @ParameterizedTest
    @EnumSource(SignatureScheme.class)
    void encodeDecodeRoundTrip(SignatureScheme scheme) throws Exception {
        DeviceSigningKey key = DeviceSigningKey.fromPrivateKey(scheme,
                Encoding.fromHex("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"));
        byte[] wire = ProofCodec.encode("ws-1", 7, TIME, H3, READING, key);
        ProofEnvelope p = ProofCodec.decode(wire);
        assertEquals(1, p.version());
        assertEquals("ws-1", p.deviceId());
        assertEquals(7, p.sequence());
        assertEquals(TIME, p.deviceTime());
        assertEquals(H3, p.h3Cell());
        assertEquals(READING, p.body());
        assertEquals("sensor.reading", p.type());
        assertEquals(scheme, p.scheme());
        assertEquals(scheme.signatureLength(), p.signature().length);
        assertTrue(scheme.verify(key.publicKey(), p.signedBytes(), p.signature()));
        assertEquals(Encoding.hex(Encoding.sha256(p.signedBytes())), p.proofId());
        assertEquals(64, p.proofId().length());
        // The wire form encode() writes is itself canonical.
        assertArrayEquals(CanonicalJson.canonicalize(tree(wire)), wire);
    }

    @Test
    void signedBytesAreTheCanonicalJsonWithoutSig() throws Exception {
        ProofEnvelope p = ProofCodec.decode(honest());
        String expected = "{\"body\":{\"metric\":\"temperature\",\"unit\":\"celsius\",\"value\":21.5},\"device\":\"ws-1\","
                + "\"loc\":{\"h3\":\"8b2a100d2d1bfff\"},\"seq\":7,\"time\":1764072000000,\"type\":\"sensor.reading\",\"v\":1}";
        assertEquals(expected, new String(p.signedBytes(), StandardCharsets.UTF_8));
        assertArrayEquals(CanonicalJson.canonicalize(ProofCodec.unsigned("ws-1", 7, TIME, H3, READING)), p.signedBytes());
        assertArrayEquals(KEY.sign(p.signedBytes()), p.signature());
        // On the wire, sig sits in its canonical place between seq and time.
        String expectedWire = "{\"body\":{\"metric\":\"temperature\",\"unit\":\"celsius\",\"value\":21.5},\"device\":\"ws-1\","
                + "\"loc\":{\"h3\":\"8b2a100d2d1bfff\"},\"seq\":7,"
                + "\"sig\":{\"alg\":\"ed25519\",\"value\":\"" + Encoding.base64Url(p.signature()) + "\"},"
                + "\"time\":1764072000000,\"type\":\"sensor.reading\",\"v\":1}";
        assertEquals(expectedWire, new String(honest(), StandardCharsets.UTF_8));
    }

    @Test
    void withoutLocationThereIsNoLocMember() throws Exception {
        ProofEnvelope p = ProofCodec.decode(ProofCodec.encode("ws-1", 0, TIME, null, READING, KEY));
        assertNull(p.h3Cell());
        assertEquals("{\"body\":{\"metric\":\"temperature\",\"unit\":\"celsius\",\"value\":21.5},\"device\":\"ws-1\","
                + "\"seq\":0,\"time\":1764072000000,\"type\":\"sensor.reading\",\"v\":1}",
                new String(p.signedBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void anyWireFormattingOfTheSameContentHasTheSameIdAndStillVerifies() throws Exception {
        ProofEnvelope original = ProofCodec.decode(honest());
        String sigValue = Encoding.base64Url(original.signature());
        String reformatted = """
                {
                  "sig" : { "value" : "%s", "alg" : "ed25519" },
                  "v" : 1,
                  "type" : "sensor.reading",
                  "body" : { "value" : 2.150e1, "unit" : "\\u0063elsius", "metric" : "temperature" },
                  "time" : 1764072000000,
                  "loc" : { "h3" : "8b2a100d2d1bfff" },
                  "seq" : 7,
                  "device" : "w\\u0073-1"
                }
                """.formatted(sigValue);
        ProofEnvelope p = ProofCodec.decode(text(reformatted));
        assertEquals(original.proofId(), p.proofId());
        assertArrayEquals(original.signedBytes(), p.signedBytes());
        assertTrue(SignatureScheme.ED25519.verify(KEY.publicKey(), p.signedBytes(), p.signature()));

        // Numbers: 21.50, 2150e-2 and 21.5 are the same JSON number.
        for (String value : new String[] {"21.50", "2150e-2", "0.215E+2"}) {
            String v = new String(honest(), StandardCharsets.UTF_8).replace("\"value\":21.5", "\"value\":" + value);
            assertEquals(original.proofId(), ProofCodec.decode(text(v)).proofId(), value);
        }
        // Padding on the signature is tolerated and does not change the id.
        byte[] padded = edited(r -> sig(r).put("value", sigValue + "=="));
        assertEquals(original.proofId(), ProofCodec.decode(padded).proofId());
    }

    @Test
    void differentContentHasADifferentId() throws Exception {
        String id = ProofCodec.decode(honest()).proofId();
        assertNotEquals(id, ProofCodec.decode(ProofCodec.encode("ws-1", 8, TIME, H3, READING, KEY)).proofId());
        assertNotEquals(id, ProofCodec.decode(edited(r -> body(r).put("value", 21.6))).proofId());
        assertNotEquals(id, ProofCodec.decode(ProofCodec.encode("ws-1", 7, TIME, null, READING, KEY)).proofId());
    }

    @Test
    void integralValuesAndNegativeZeroCanonicalize() throws Exception {
        ProofEnvelope p = ProofCodec.decode(edited(r -> body(r).put("value", 21)));
        assertEquals(21.0, ((SensorReading) p.body()).value());
        assertTrue(new String(p.signedBytes(), StandardCharsets.UTF_8).contains("\"value\":21}"));
        String negZero = new String(honest(), StandardCharsets.UTF_8).replace("\"value\":21.5", "\"value\":-0.0");
        assertTrue(new String(ProofCodec.decode(text(negZero)).signedBytes(), StandardCharsets.UTF_8).contains("\"value\":0}"));
    }

    @Test
    void integerNegativeZeroIsASchemaFaultWhereverItIs() {
        String wire = new String(honest(), StandardCharsets.UTF_8);
        // seq 0 written -0: Jackson alone reads it as 0 and the proof would pass as seq 0.
        String seqZero = new String(ProofCodec.encode("ws-1", 0, TIME, H3, READING, KEY), StandardCharsets.UTF_8);
        assertTrue(seqZero.contains("\"seq\":0,"));
        assertEquals(ReasonCode.SCHEMA_INVALID, reasonFor(text(seqZero.replace("\"seq\":0,", "\"seq\":-0,"))));
        assertEquals(ReasonCode.SCHEMA_INVALID, reasonFor(text(wire.replace("\"value\":21.5", "\"value\":-0"))));
        assertEquals(ReasonCode.SCHEMA_INVALID, reasonFor(text(wire.replace("\"v\":1", "\"v\":-0"))));
    }

    @Test
    void aLeadingByteOrderMarkIsMalformed() {
        byte[] honest = honest();
        byte[] withBom = new byte[honest.length + 3];
        withBom[0] = (byte) 0xEF;
        withBom[1] = (byte) 0xBB;
        withBom[2] = (byte) 0xBF;
        System.arraycopy(honest, 0, withBom, 3, honest.length);
        assertEquals(ReasonCode.MALFORMED_JSON, reasonFor(withBom));
        assertTrue(assertThrows(MalformedProofException.class, () -> ProofCodec.decode(withBom)).getMessage().contains("byte-order mark"));
    }

    // ---------------------------------------------------------------- size

    @Test
    void payloadAtTheLimitDecodesOneByteMoreDoesNot() throws Exception {
        byte[] honest = honest();
        int limit = ProofCodec.MAX_PAYLOAD_BYTES;
        assertEquals(16 * 1024, limit);
        byte[] atLimit = (new String(honest, StandardCharsets.UTF_8) + " ".repeat(limit - honest.length)).getBytes(StandardCharsets.UTF_8);
        assertEquals(limit, atLimit.length);
        assertEquals(ProofCodec.decode(honest).proofId(), ProofCodec.decode(atLimit).proofId());
        byte[] overLimit = (new String(atLimit, StandardCharsets.UTF_8) + " ").getBytes(StandardCharsets.UTF_8);
        assertEquals(limit + 1, overLimit.length);
        assertEquals(ReasonCode.PAYLOAD_TOO_LARGE, reasonFor(overLimit));
        assertEquals(ReasonCode.PAYLOAD_TOO_LARGE, reasonFor(new byte[limit + 1]), "size is checked before parsing");
    }

    // ---------------------------------------------------------------- malformed JSON

    @ParameterizedTest
    @ValueSource(strings = {"", "not json", "[]", "\"proof\"", "null", "{\"v\":1", "{\"v\":1}{}", "{\"v\":1} x",
            "{\"v\":1,\"v\":1}", "{\"v\":NaN}"})
    void malformedJson(String payload) {
        assertEquals(ReasonCode.MALFORMED_JSON, reasonFor(text(payload)));
    }

    @Test
    void duplicateMemberInAValidProofIsMalformed() {
        String wire = new String(honest(), StandardCharsets.UTF_8);
        assertEquals(ReasonCode.MALFORMED_JSON, reasonFor(text(wire.replace("\"seq\":7,", "\"seq\":7,\"seq\":8,"))));
        assertEquals(ReasonCode.MALFORMED_JSON, reasonFor(text(wire.replace("\"metric\":", "\"unit\":\"x\",\"metric\":"))));
        assertEquals(ReasonCode.MALFORMED_JSON, reasonFor(text(wire.replace("\"value\":21.5", "\"value\":NaN"))));
        assertEquals(ReasonCode.MALFORMED_JSON, reasonFor(text(wire + "{}")));
    }

    @Test
    void nestingBeyondTheDepthLimitIsMalformed() {
        String wire = new String(honest(), StandardCharsets.UTF_8);
        String deep = "{\"x\":".repeat(20) + "1" + "}".repeat(20);
        assertEquals(ReasonCode.MALFORMED_JSON, reasonFor(text(wire.replace("\"value\":21.5", "\"value\":" + deep))));
    }

    @Test
    void invalidUtf8IsMalformed() {
        byte[] wire = honest();
        String s = new String(wire, StandardCharsets.UTF_8);
        int at = s.indexOf("ws-1");
        byte[] bad = wire.clone();
        bad[at] = (byte) 0xC3;
        bad[at + 1] = (byte) 0x28;
        assertEquals(ReasonCode.MALFORMED_JSON, reasonFor(bad));
    }

    // ---------------------------------------------------------------- schema

    @ParameterizedTest
    @ValueSource(strings = {"v", "device", "type", "seq", "time", "body", "sig"})
    void missingRequiredMember(String member) throws Exception {
        assertEquals(ReasonCode.SCHEMA_INVALID, reasonFor(edited(r -> r.remove(member))));
    }

    @Test
    void mistypedMembers() throws Exception {
        assertEquals(ReasonCode.SCHEMA_INVALID, reasonFor(edited(r -> r.put("v", "1"))));
        assertEquals(ReasonCode.SCHEMA_INVALID, reasonFor(edited(r -> r.put("v", 1.5))));
        assertEquals(ReasonCode.SCHEMA_INVALID, reasonFor(edited(r -> r.putNull("v"))));
        assertEquals(ReasonCode.SCHEMA_INVALID, reasonFor(edited(r -> r.put("device", 5))));
        assertEquals(ReasonCode.SCHEMA_INVALID, reasonFor(edited(r -> r.putArray("device").add("ws-1"))));
        assertEquals(ReasonCode.SCHEMA_INVALID, reasonFor(edited(r -> r.put("type", 1))));
        assertEquals(ReasonCode.SCHEMA_INVALID, reasonFor(edited(r -> r.put("seq", "7"))));
        assertEquals(ReasonCode.SCHEMA_INVALID, reasonFor(edited(r -> r.put("seq", 7.5))));
        assertEquals(ReasonCode.SCHEMA_INVALID, reasonFor(edited(r -> r.put("seq", true))));
        assertEquals(ReasonCode.SCHEMA_INVALID, reasonFor(edited(r -> r.put("time", "2025-11-25T12:00:00Z"))));
        assertEquals(ReasonCode.SCHEMA_INVALID, reasonFor(edited(r -> r.put("time", 1.7640720000005E12))));
        assertEquals(ReasonCode.SCHEMA_INVALID, reasonFor(edited(r -> r.put("body", "reading"))));
        assertEquals(ReasonCode.SCHEMA_INVALID, reasonFor(edited(r -> r.putArray("body"))));
        assertEquals(ReasonCode.SCHEMA_INVALID, reasonFor(edited(r -> r.put("sig", "AAAA"))));
    }

    @Test
    void integralFloatVersionIsASchemaErrorNotAVersion() throws Exception {
        String wire = new String(honest(), StandardCharsets.UTF_8);
        assertEquals(ReasonCode.SCHEMA_INVALID, reasonFor(text(wire.replace("\"v\":1}", "\"v\":1.0}"))));
    }

    @ParameterizedTest
    @ValueSource(strings = {"extra", "V", "signature", "Sig", " v"})
    void unknownTopLevelMember(String member) throws Exception {
        assertEquals(ReasonCode.SCHEMA_INVALID, reasonFor(edited(r -> r.put(member, 1))));
    }

    @Test
    void bodyMembers() throws Exception {
        for (String m : new String[] {"metric", "value", "unit"}) {
            assertEquals(ReasonCode.SCHEMA_INVALID, reasonFor(edited(r -> body(r).remove(m))), "missing " + m);
        }
        assertEquals(ReasonCode.SCHEMA_INVALID, reasonFor(edited(r -> body(r).put("extra", 1))));
        assertEquals(ReasonCode.SCHEMA_INVALID, reasonFor(edited(r -> body(r).put("value", "21.5"))));
        assertEquals(ReasonCode.SCHEMA_INVALID, reasonFor(edited(r -> body(r).putNull("value"))));
        assertEquals(ReasonCode.SCHEMA_INVALID, reasonFor(edited(r -> body(r).put("metric", 3))));
        assertEquals(ReasonCode.SCHEMA_INVALID, reasonFor(edited(r -> body(r).put("metric", "Temperature"))));
        assertEquals(ReasonCode.SCHEMA_INVALID, reasonFor(edited(r -> body(r).put("metric", ""))));
        assertEquals(ReasonCode.SCHEMA_INVALID, reasonFor(edited(r -> body(r).put("unit", "°C"))));
        // Token length: 32 characters is the limit.
        ProofCodec.decode(edited(r -> body(r).put("metric", "m".repeat(32))));
        assertEquals(ReasonCode.SCHEMA_INVALID, reasonFor(edited(r -> body(r).put("metric", "m".repeat(33)))));
    }

    @Test
    void overflowingNumberIsNotAFiniteValue() {
        String wire = new String(honest(), StandardCharsets.UTF_8);
        ReasonCode r = reasonFor(text(wire.replace("\"value\":21.5", "\"value\":1e400")));
        assertEquals(ReasonCode.SCHEMA_INVALID, r);
    }

    @Test
    void deviceIdAlphabetAndLength() throws Exception {
        ProofCodec.decode(edited(r -> r.put("device", "A".repeat(128))));
        ProofCodec.decode(edited(r -> r.put("device", "aZ09:_-")));
        assertEquals(ReasonCode.SCHEMA_INVALID, reasonFor(edited(r -> r.put("device", "A".repeat(129)))));
        for (String bad : new String[] {"", "ws 1", "ws/1", "ws.1", "ws#1", "wé", "ws-1\n"}) {
            assertEquals(ReasonCode.SCHEMA_INVALID, reasonFor(edited(r -> r.put("device", bad))), bad);
        }
    }

    @Test
    void locationShape() throws Exception {
        assertEquals(ReasonCode.SCHEMA_INVALID, reasonFor(edited(r -> r.put("loc", H3))));
        assertEquals(ReasonCode.SCHEMA_INVALID, reasonFor(edited(r -> r.putNull("loc"))));
        assertEquals(ReasonCode.SCHEMA_INVALID, reasonFor(edited(r -> r.putArray("loc").add(H3))));
        assertEquals(ReasonCode.SCHEMA_INVALID, reasonFor(edited(r -> r.putObject("loc"))));
        assertEquals(ReasonCode.SCHEMA_INVALID, reasonFor(edited(r -> r.putObject("loc").put("h3", H3).put("lat", 1))));
        assertEquals(ReasonCode.SCHEMA_INVALID, reasonFor(edited(r -> r.putObject("loc").put("h3", H3.toUpperCase()))));
        assertEquals(ReasonCode.SCHEMA_INVALID, reasonFor(edited(r -> r.putObject("loc").put("h3", H3 + "f"))));
        assertEquals(ReasonCode.SCHEMA_INVALID, reasonFor(edited(r -> r.putObject("loc").put("h3", H3.substring(1)))));
        assertEquals(ReasonCode.SCHEMA_INVALID, reasonFor(edited(r -> r.putObject("loc").put("h3", 1))));
    }

    @Test
    void signatureShape() throws Exception {
        assertEquals(ReasonCode.SCHEMA_INVALID, reasonFor(edited(r -> sig(r).remove("value"))));
        assertEquals(ReasonCode.SCHEMA_INVALID, reasonFor(edited(r -> sig(r).remove("alg"))));
        assertEquals(ReasonCode.SCHEMA_INVALID, reasonFor(edited(r -> sig(r).put("kid", "k1"))));
        assertEquals(ReasonCode.SCHEMA_INVALID, reasonFor(edited(r -> sig(r).put("alg", 1))));
        assertEquals(ReasonCode.SCHEMA_INVALID, reasonFor(edited(r -> sig(r).put("value", 1))));
        assertEquals(ReasonCode.SCHEMA_INVALID, reasonFor(edited(r -> sig(r).put("value", "+/+/"))), "standard base64");
        assertEquals(ReasonCode.SCHEMA_INVALID, reasonFor(edited(r -> sig(r).put("value", "a"))), "impossible length");
    }

    @Test
    void wrongLengthSignatureStillDecodesTheVerifierRejectsIt() throws Exception {
        ProofEnvelope p = ProofCodec.decode(edited(r -> sig(r).put("value", "")));
        assertEquals(0, p.signature().length);
    }

    // ---------------------------------------------------------------- numeric ranges

    @Test
    void sequenceAndTimeAtTheSafeIntegerLimit() throws Exception {
        ProofEnvelope p = ProofCodec.decode(ProofCodec.encode("ws-1", MAX_SAFE, Instant.ofEpochMilli(MAX_SAFE), H3, READING, KEY));
        assertEquals(MAX_SAFE, p.sequence());
        assertEquals(MAX_SAFE, p.deviceTime().toEpochMilli());
        ProofCodec.decode(edited(r -> r.put("seq", 0).put("time", 0)));
        for (String member : new String[] {"seq", "time"}) {
            assertEquals(ReasonCode.SCHEMA_INVALID, reasonFor(edited(r -> r.put(member, MAX_SAFE + 1))), member + " = 2^53");
            assertEquals(ReasonCode.SCHEMA_INVALID, reasonFor(edited(r -> r.put(member, Long.MAX_VALUE))), member + " = 2^63-1");
            assertEquals(ReasonCode.SCHEMA_INVALID, reasonFor(edited(r -> r.put(member, -1))), member + " = -1");
            assertEquals(ReasonCode.SCHEMA_INVALID, reasonFor(edited(r -> r.put(member, new java.math.BigInteger("1" + "0".repeat(30))))),
                    member + " = 10^30");
        }
    }

    @Test
    void bodyIntegerBeyondTwoToThe53IsNonCanonical() throws Exception {
        assertEquals(ReasonCode.NON_CANONICAL_VALUE, reasonFor(edited(r -> body(r).put("value", MAX_SAFE + 2))));
        // ... while 2^53 - 1 is fine (and then out of any physical range, which is the verifier's business).
        ProofCodec.decode(edited(r -> body(r).put("value", MAX_SAFE)));
    }

    // ---------------------------------------------------------------- version, type, scheme

    @ParameterizedTest
    @ValueSource(longs = {0, 2, -1, 99, 4_294_967_297L})
    void unsupportedVersion(long v) throws Exception {
        assertEquals(ReasonCode.UNSUPPORTED_VERSION, reasonFor(edited(r -> r.put("v", v))));
    }

    @ParameterizedTest
    @ValueSource(strings = {"sensor.readings", "Sensor.reading", "beacon", ""})
    void unknownProofType(String type) throws Exception {
        assertEquals(ReasonCode.UNKNOWN_PROOF_TYPE, reasonFor(edited(r -> r.put("type", type))));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ES256", "Ed25519", "rsa-sha256", "secp256k1", ""})
    void unsupportedSignatureScheme(String alg) throws Exception {
        assertEquals(ReasonCode.UNSUPPORTED_SIGNATURE_SCHEME, reasonFor(edited(r -> sig(r).put("alg", alg))));
    }

    // ---------------------------------------------------------------- lone surrogates

    /**
     * Every string of the v1 envelope is pattern-checked before canonicalization, so a lone surrogate
     * escape is refused as a schema error where it stands; it can never reach the signed bytes.
     */
    @Test
    void loneSurrogateEscapesNeverDecode() {
        String wire = new String(honest(), StandardCharsets.UTF_8);
        assertEquals(ReasonCode.SCHEMA_INVALID, reasonFor(text(wire.replace("\"celsius\"", "\"\\ud800\""))));
        assertEquals(ReasonCode.SCHEMA_INVALID, reasonFor(text(wire.replace("\"temperature\"", "\"temp\\udc00\""))));
        assertEquals(ReasonCode.SCHEMA_INVALID, reasonFor(text(wire.replace("\"ws-1\"", "\"ws-1\\ud800\""))));
        assertEquals(ReasonCode.SCHEMA_INVALID, reasonFor(text(wire.replace("\"" + H3 + "\"", "\"\\ud800\""))));
        assertEquals(ReasonCode.SCHEMA_INVALID, reasonFor(text(wire.replace("\"unit\"", "\"\\ud800\""))));
        assertEquals(ReasonCode.SCHEMA_INVALID, reasonFor(text(wire.replace("{\"body\"", "{\"\\ud800\":1,\"body\""))));
        assertEquals(ReasonCode.UNKNOWN_PROOF_TYPE, reasonFor(text(wire.replace("\"sensor.reading\"", "\"\\ud800\""))));
        assertEquals(ReasonCode.UNSUPPORTED_SIGNATURE_SCHEME, reasonFor(text(wire.replace("\"ed25519\"", "\"\\ud800\""))));
    }
}
