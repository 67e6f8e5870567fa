package dev.flywheel.core.types.mobility;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.core.crypto.DeviceSigningKey;
import dev.flywheel.core.crypto.Encoding;
import dev.flywheel.core.crypto.SignatureScheme;
import dev.flywheel.core.json.CanonicalJson;
import dev.flywheel.core.proof.MalformedProofException;
import dev.flywheel.core.proof.ProofCodec;
import dev.flywheel.core.proof.ProofEnvelope;
import dev.flywheel.core.proof.ProofTypes;
import dev.flywheel.core.proof.ReasonCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LocationTraceTypeTest {
    private static final Instant TIME = Instant.ofEpochMilli(1_764_072_000_000L);
    private static final DeviceSigningKey KEY = DeviceSigningKey.fromPrivateKey(SignatureScheme.ED25519,
            Encoding.fromHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
    /** Southern and western hemispheres: negative coordinates must survive. */
    static final LocationTrace TRACE = new LocationTrace(List.of(
            new GnssFix(1_764_071_990_000L, -338_688_000, 1_512_093_000, 9, 11, "3d"),
            new GnssFix(1_764_071_991_000L, -338_688_150, 1_512_093_120, 10, 11, "3d"),
            new GnssFix(1_764_071_992_000L, -338_688_300, 1_512_093_240, 8, 12, "3d")));

    private static byte[] honest() {
        return ProofCodec.encode("car-1", 3, TIME, null, TRACE, KEY);
    }

    private static byte[] edited(Consumer<ObjectNode> editBody) throws Exception {
        ObjectNode root = CanonicalJson.parseObject(honest());
        editBody.accept((ObjectNode) root.get("body"));
        return CanonicalJson.mapper().writeValueAsBytes(root);
    }

    private static Consumer<ObjectNode> fix1(Consumer<ObjectNode> edit) {
        return body -> edit.accept((ObjectNode) body.get("fixes").get(1));
    }

    private static ReasonCode reasonFor(byte[] payload) {
        return assertThrows(MalformedProofException.class, () -> ProofCodec.decode(payload)).reason();
    }

    private static List<GnssFix> fixes(int n) {
        List<GnssFix> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new GnssFix(1_764_071_000_000L + i * 1000L, 473_977_418 + i * 100, -1_224_194_155 - i * 100, 99, 12, "3d"));
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(SignatureScheme.class)
    void roundTripsSignedUnderEveryScheme(SignatureScheme scheme) throws Exception {
        DeviceSigningKey key = DeviceSigningKey.generate(scheme, new java.security.SecureRandom());
        byte[] wire = ProofCodec.encode("car-1", 3, TIME, "8b2a100d2d1bfff", TRACE, key);
        ProofEnvelope decoded = ProofCodec.decode(wire);
        assertEquals(TRACE, decoded.body());
        assertEquals(LocationTrace.TYPE, decoded.type());
        assertTrue(scheme.verify(key.publicKey(), decoded.signedBytes(), decoded.signature()));
    }

    @Test
    void wireFormIsTheDocumentedOne() {
        String json = new String(honest(), StandardCharsets.UTF_8);
        assertTrue(json.startsWith("{\"body\":{\"fixes\":[{\"fix\":\"3d\",\"hdopX10\":9,\"latE7\":-338688000,"
                + "\"lngE7\":1512093000,\"sats\":11,\"time\":1764071990000},"), json);
        assertTrue(json.contains("\"type\":\"mobility.trace\""), json);
    }

    @Test
    void theLargestValidTraceFitsThePayloadLimit() throws Exception {
        List<GnssFix> worst = new ArrayList<>();
        for (int i = 0; i < LocationTrace.MAX_FIXES; i++) {
            worst.add(new GnssFix(CanonicalJson.MAX_SAFE_INTEGER - LocationTrace.MAX_FIXES + i, -900_000_000,
                    -1_800_000_000, 9_999, 255, "abcdefgh"));
        }
        LocationTrace largest = new LocationTrace(worst);
        byte[] wire = ProofCodec.encode("d".repeat(128), CanonicalJson.MAX_SAFE_INTEGER, Instant.ofEpochMilli(CanonicalJson.MAX_SAFE_INTEGER),
                "8b2a100d2d1bfff", largest, DeviceSigningKey.generate(SignatureScheme.SECP256K1_KECCAK256,
                        new java.security.SecureRandom()));
        assertTrue(wire.length <= ProofCodec.MAX_PAYLOAD_BYTES, wire.length + " bytes");
        assertEquals(largest, ProofCodec.decode(wire).body());
    }

    @Test
    void oneFixTooManyIsASchemaError() throws Exception {
        LocationTrace tooLong = new LocationTrace(fixes(LocationTrace.MAX_FIXES + 1));
        byte[] wire = ProofCodec.encode("car-1", 3, TIME, null, tooLong, KEY);
        assertEquals(ReasonCode.SCHEMA_INVALID, reasonFor(wire));
    }

    @Test
    void extremeCoordinatesAreAccepted() throws Exception {
        for (int[] c : new int[][]{{900_000_000, 1_800_000_000}, {-900_000_000, -1_800_000_000}}) {
            byte[] wire = edited(fix1(f -> f.put("latE7", c[0]).put("lngE7", c[1])));
            GnssFix fix = ((LocationTrace) ProofCodec.decode(wire).body()).fixes().get(1);
            assertEquals(c[0], fix.latE7());
            assertEquals(c[1], fix.lngE7());
        }
        byte[] edges = edited(fix1(f -> f.put("hdopX10", 9_999).put("sats", 255)));
        assertEquals(9_999, ((LocationTrace) ProofCodec.decode(edges).body()).fixes().get(1).hdopX10());
    }

    @Test
    void schemaRejections() throws Exception {
        List<Consumer<ObjectNode>> edits = List.of(
                b -> b.put("extra", 1),
                b -> b.remove("fixes"),
                b -> b.putArray("fixes"),
                b -> b.put("fixes", "none"),
                b -> ((ArrayNode) b.get("fixes")).add(7),
                fix1(f -> f.put("alt", 100)),
                fix1(f -> f.remove("sats")),
                fix1(f -> f.put("latE7", 900_000_001)),
                fix1(f -> f.put("latE7", -900_000_001)),
                fix1(f -> f.put("lngE7", 1_800_000_001)),
                fix1(f -> f.put("lngE7", -1_800_000_001)),
                fix1(f -> f.put("latE7", 47.3977418)),
                fix1(f -> f.put("latE7", "473977418")),
                fix1(f -> f.put("hdopX10", -1)),
                fix1(f -> f.put("hdopX10", 10_000)),
                fix1(f -> f.put("hdopX10", 0.9)),
                fix1(f -> f.put("sats", 256)),
                fix1(f -> f.put("sats", -1)),
                fix1(f -> f.put("fix", "3D")),
                fix1(f -> f.put("fix", "abcdefghi")),
                fix1(f -> f.putNull("fix")),
                fix1(f -> f.put("time", -1)),
                fix1(f -> f.put("time", 1_764_071_990_000L)),   // equal to fix 0: not strictly increasing
                fix1(f -> f.put("time", 1_764_071_989_999L)));  // earlier than fix 0
        for (int i = 0; i < edits.size(); i++) {
            byte[] payload = edited(edits.get(i));
            assertEquals(ReasonCode.SCHEMA_INVALID, reasonFor(payload), "edit " + i + ": " + new String(payload, StandardCharsets.UTF_8));
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1_764_071_990_001L, 1_764_071_991_999L})
    void fixTimesJustAfterThePreviousAreFine(long time) throws Exception {
        ProofCodec.decode(edited(fix1(f -> f.put("time", time))));
    }

    @Test
    void aNetworkWithoutTheTypeDoesNotKnowIt() {
        MalformedProofException e = assertThrows(MalformedProofException.class,
                () -> ProofCodec.decode(honest(), ProofTypes.enabled(Set.of("sensor.reading"))));
        assertEquals(ReasonCode.UNKNOWN_PROOF_TYPE, e.reason());
    }
}
