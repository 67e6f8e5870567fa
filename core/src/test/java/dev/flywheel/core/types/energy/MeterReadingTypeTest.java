package dev.flywheel.core.types.energy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.core.crypto.DeviceSigningKey;
import dev.flywheel.core.crypto.SignatureScheme;
import dev.flywheel.core.json.CanonicalJson;
import dev.flywheel.core.proof.MalformedProofException;
import dev.flywheel.core.proof.ProofCodec;
import dev.flywheel.core.proof.ProofEnvelope;
import dev.flywheel.core.proof.ReasonCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MeterReadingTypeTest {
    private static final Instant TIME = Instant.ofEpochMilli(1_764_072_000_000L);
    private static final MeterReading WITH_START = new MeterReading("sma.inv_01", 1_764_068_400_000L, 1_764_072_000_000L,
            12_345_678L, 8_000, OptionalLong.of(12_340_000L));
    private static final MeterReading WITHOUT_START = new MeterReading("m1", 1_764_068_400_000L, 1_764_072_000_000L,
            12_345_678L, 8_000, OptionalLong.empty());
    private static final DeviceSigningKey KEY = DeviceSigningKey.generate(SignatureScheme.ED25519, new SecureRandom());

    private static byte[] edited(Consumer<ObjectNode> editBody) throws Exception {
        ObjectNode root = CanonicalJson.parseObject(ProofCodec.encode("meter-1", 1, TIME, null, WITH_START, KEY));
        editBody.accept((ObjectNode) root.get("body"));
        return CanonicalJson.mapper().writeValueAsBytes(root);
    }

    @ParameterizedTest
    @EnumSource(SignatureScheme.class)
    void roundTripsSignedWithAndWithoutTheStartCounter(SignatureScheme scheme) throws Exception {
        DeviceSigningKey key = DeviceSigningKey.generate(scheme, new SecureRandom());
        for (MeterReading r : List.of(WITH_START, WITHOUT_START)) {
            ProofEnvelope decoded = ProofCodec.decode(ProofCodec.encode("meter-1", 1, TIME, "8b2a100d2d1bfff", r, key));
            assertEquals(r, decoded.body());
            assertEquals(MeterReading.TYPE, decoded.type());
            assertTrue(scheme.verify(key.publicKey(), decoded.signedBytes(), decoded.signature()));
        }
    }

    @Test
    void wireFormIsTheDocumentedOne() {
        String json = new String(ProofCodec.encode("meter-1", 1, TIME, null, WITH_START, KEY), StandardCharsets.UTF_8);
        assertTrue(json.startsWith("{\"body\":{\"end\":1764072000000,\"energyWh\":12345678,\"meter\":\"sma.inv_01\","
                + "\"ratedW\":8000,\"start\":1764068400000,\"startEnergyWh\":12340000},"), json);
        assertTrue(json.contains("\"type\":\"energy.meter\""), json);
        String without = new String(ProofCodec.encode("meter-1", 1, TIME, null, WITHOUT_START, KEY), StandardCharsets.UTF_8);
        assertTrue(!without.contains("startEnergyWh"), without);
    }

    @Test
    void largestSafeCounterRoundTrips() throws Exception {
        byte[] wire = edited(b -> b.put("energyWh", CanonicalJson.MAX_SAFE_INTEGER));
        assertEquals(CanonicalJson.MAX_SAFE_INTEGER, ((MeterReading) ProofCodec.decode(wire).body()).energyWh());
    }

    @Test
    void schemaRejections() throws Exception {
        List<Consumer<ObjectNode>> edits = List.of(
                b -> b.put("extra", 1),
                b -> b.remove("meter"),
                b -> b.remove("start"),
                b -> b.remove("end"),
                b -> b.remove("energyWh"),
                b -> b.remove("ratedW"),
                b -> b.put("meter", "Meter-1"),
                b -> b.put("meter", ""),
                b -> b.put("meter", 7),
                b -> b.put("energyWh", -1),
                b -> b.put("energyWh", 12.5),
                b -> b.put("energyWh", "12"),
                b -> b.put("ratedW", -8000),
                b -> b.put("ratedW", 8000.5),
                b -> b.put("start", -1),
                b -> b.put("end", CanonicalJson.MAX_SAFE_INTEGER + 1),
                b -> b.putNull("startEnergyWh"),
                b -> b.put("startEnergyWh", -5));
        for (int i = 0; i < edits.size(); i++) {
            byte[] payload = edited(edits.get(i));
            ReasonCode reason = assertThrows(MalformedProofException.class, () -> ProofCodec.decode(payload)).reason();
            assertEquals(ReasonCode.SCHEMA_INVALID, reason, "edit " + i + ": " + new String(payload, StandardCharsets.UTF_8));
        }
    }
}
