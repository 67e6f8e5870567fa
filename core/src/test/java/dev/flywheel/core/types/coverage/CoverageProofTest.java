package dev.flywheel.core.types.coverage;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.core.crypto.DeviceSigningKey;
import dev.flywheel.core.crypto.SignatureScheme;
import dev.flywheel.core.proof.MalformedProofException;
import dev.flywheel.core.proof.ProofCodec;
import dev.flywheel.core.proof.ProofEnvelope;
import dev.flywheel.core.proof.ProofTypes;
import dev.flywheel.core.proof.DeviceRecord;
import dev.flywheel.core.proof.DeviceStatus;
import dev.flywheel.core.proof.RejectionReason;
import dev.flywheel.core.verify.InboundProof;
import dev.flywheel.core.proof.PlausibilityChecks;
import dev.flywheel.core.proof.PriorProof;
import dev.flywheel.core.verify.ProofVerifier;
import dev.flywheel.core.proof.ReasonCode;
import dev.flywheel.core.verify.Verdict;
import dev.flywheel.core.verify.VerificationPolicy;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.flywheel.core.types.coverage.CoverageFixture.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The coverage types through the codec and the real verifier: decode, per-proof rules, server receive time. */
class CoverageProofTest {
    private final Map<String, DeviceRecord> registry = new HashMap<>();
    private final Map<String, DeviceSigningKey> keys = new HashMap<>();
    private final Map<String, PriorProof> priors = new HashMap<>();
    private final ProofVerifier verifier = new ProofVerifier(id -> Optional.ofNullable(registry.get(id)), id -> false,
            VerificationPolicy.defaults(), new PlausibilityChecks(CoverageRules.defaults(LOOKUP)), ProofTypes.builtIn(),
            (device, type) -> Optional.ofNullable(priors.get(device + "|" + type)));

    private void register(String id, String cell) {
        try {
            SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
            random.setSeed(id.hashCode());
            DeviceSigningKey key = DeviceSigningKey.generate(SignatureScheme.ED25519, random);
            keys.put(id, key);
            registry.put(id, new DeviceRecord(id, SignatureScheme.ED25519, key.publicKey(), "0x" + "2".repeat(40),
                    DeviceStatus.ACTIVE, cell));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private Verdict deliver(String id, Instant receivedAt, dev.flywheel.core.proof.ProofBody body) {
        byte[] payload = ProofCodec.encode(id, 1, receivedAt, null, body, keys.get(id));
        return verifier.verify(new InboundProof("d-" + id, id, receivedAt, payload));
    }

    private static void rejected(Verdict v, RejectionReason reason) {
        Verdict.Rejected r = assertInstanceOf(Verdict.Rejected.class, v, () -> "expected " + reason + ", got " + v);
        assertEquals(reason, r.reason(), r.detail());
    }

    private static Verdict.Accepted accepted(Verdict v) {
        return assertInstanceOf(Verdict.Accepted.class, v, () -> "expected acceptance, got " + v);
    }

    @Test
    void beaconAndWitnessRoundTripThroughTheCodec() throws Exception {
        register("beaconer", beaconerCell());
        CoverageBeacon body = beaconBody("beaconer");
        byte[] wire = ProofCodec.encode("beaconer", 1, BEACON_RX, null, body, keys.get("beaconer"));
        ProofEnvelope env = ProofCodec.decode(wire);
        assertEquals(body, env.body());
        assertEquals("coverage.beacon", env.type());
        CoverageWitness w = witnessBody(beacon(), -1085, FREQ);
        register("w1", cellFrom(5_000, 30));
        assertEquals(w, ProofCodec.decode(ProofCodec.encode("w1", 1, BEACON_RX, null, w, keys.get("w1"))).body());
        assertEquals(beacon().beaconKey(), w.beaconKey());
    }

    @Test
    void malformedBodiesAreSchemaInvalid() {
        ObjectNode good = ProofTypes.encode(beaconBody("beaconer"));
        CoverageBeaconType type = new CoverageBeaconType();
        for (var mutate : List.<java.util.function.Consumer<ObjectNode>>of(
                n -> n.put("txPower", 401), n -> n.put("txPower", 27.5), n -> n.put("frequency", 0),
                n -> n.put("entropy", "ABC"), n -> n.put("payload", "not base64!"), n -> n.put("payload", ""),
                n -> n.put("extra", 1), n -> n.remove("id"), n -> n.put("datarate", "SF7"))) {
            ObjectNode n = good.deepCopy();
            mutate.accept(n);
            MalformedProofException e = assertThrows(MalformedProofException.class, () -> type.decode(n), n::toString);
            assertEquals(ReasonCode.SCHEMA_INVALID, e.reason());
        }
        ObjectNode w = ProofTypes.encode(witnessBody(beacon(), -1085, FREQ));
        CoverageWitnessType wt = new CoverageWitnessType();
        for (var mutate : List.<java.util.function.Consumer<ObjectNode>>of(
                n -> n.put("rssi", 1), n -> n.put("rssi", -1801), n -> n.put("snr", 501), n -> n.put("beaconer", "a b"),
                n -> n.put("rxTime", -1))) {
            ObjectNode n = w.deepCopy();
            mutate.accept(n);
            assertThrows(MalformedProofException.class, () -> wt.decode(n), n::toString);
        }
    }

    @Test
    void payloadDerivationIsDocumented() {
        byte[] input = new byte[32 + "beaconer".length()];
        System.arraycopy(dev.flywheel.core.crypto.Encoding.fromHex(ENTROPY), 0, input, 0, 32);
        System.arraycopy("beaconer".getBytes(StandardCharsets.UTF_8), 0, input, 32, 8);
        byte[] expected = dev.flywheel.core.crypto.Encoding.sha256(input);
        org.junit.jupiter.api.Assertions.assertArrayEquals(expected, BeaconPayload.derive(ENTROPY, "beaconer"));
        assertEquals(dev.flywheel.core.crypto.Encoding.hex(dev.flywheel.core.crypto.Encoding.sha256(expected)),
                beaconBody("beaconer").id());
    }

    @Test
    void honestBeaconIsAcceptedForZeroUnits() {
        register("beaconer", beaconerCell());
        assertEquals(0, accepted(deliver("beaconer", BEACON_RX, beaconBody("beaconer"))).workUnits());
    }

    @Test
    void beaconNeedsAnAssertedLocation() {
        register("beaconer", null);
        rejected(deliver("beaconer", BEACON_RX, beaconBody("beaconer")), CoverageReason.LOCATION_NOT_ASSERTED);
    }

    @Test
    void beaconEntropyIsAtMost180SecondsOldOnArrival() {
        register("beaconer", beaconerCell());
        accepted(deliver("beaconer", ENTROPY_AT.plusSeconds(180), beaconBody("beaconer")));
        rejected(deliver("beaconer", ENTROPY_AT.plusMillis(180_001), beaconBody("beaconer")), ReasonCode.ENTROPY_STALE);
        CoverageBeacon unknown = new CoverageBeacon("ab".repeat(32), FREQ, "sf7bw125", TX,
                BeaconPayload.deriveBase64Url("ab".repeat(32), "beaconer"),
                BeaconPayload.beaconId(BeaconPayload.derive("ab".repeat(32), "beaconer")));
        rejected(deliver("beaconer", BEACON_RX, unknown), ReasonCode.ENTROPY_UNKNOWN);
    }

    @Test
    void atMostOneBeaconEverySixHours() {
        register("beaconer", beaconerCell());
        priors.put("beaconer|coverage.beacon", new PriorProof(0, BEACON_RX, BEACON_RX.minus(Duration.ofHours(6)), null,
                beaconBody("beaconer")));
        accepted(deliver("beaconer", BEACON_RX, beaconBody("beaconer")));
        priors.put("beaconer|coverage.beacon", new PriorProof(0, BEACON_RX, BEACON_RX.minus(Duration.ofHours(6)).plusMillis(1),
                null, beaconBody("beaconer")));
        rejected(deliver("beaconer", BEACON_RX, beaconBody("beaconer")), CoverageReason.BEACON_TOO_FREQUENT);
    }

    @Test
    void beaconPayloadAndIdAreRebuiltFromEntropy() {
        register("beaconer", beaconerCell());
        CoverageBeacon good = beaconBody("beaconer");
        CoverageBeacon otherPayload = new CoverageBeacon(ENTROPY, FREQ, "sf7bw125", TX,
                BeaconPayload.deriveBase64Url(ENTROPY, "someone-else"), good.id());
        rejected(deliver("beaconer", BEACON_RX, otherPayload), CoverageReason.PAYLOAD_MISMATCH);
        CoverageBeacon otherId = new CoverageBeacon(ENTROPY, FREQ, "sf7bw125", TX, good.payload(), "cd".repeat(32));
        rejected(deliver("beaconer", BEACON_RX, otherId), CoverageReason.PAYLOAD_MISMATCH);
    }

    @Test
    void beaconInAnUnresolvableRegionIsRejected() {
        CoverageBeaconRule rule = new CoverageBeaconRule(LOOKUP, cell -> Optional.empty(), CoverageConfig.defaults());
        var f = rule.check(null, beaconBody("beaconer"), device("beaconer", beaconerCell()), Optional.empty(), BEACON_RX);
        assertEquals(CoverageReason.REGION_UNKNOWN, f.orElseThrow().reason());
        assertThrows(IllegalStateException.class,
                () -> rule.check(null, beaconBody("beaconer"), device("beaconer", beaconerCell()), Optional.empty()));
    }

    @Test
    void witnessNeedsAnAssertedLocation() {
        register("w1", null);
        rejected(deliver("w1", BEACON_RX, witnessBody(beacon(), -1085, FREQ)), CoverageReason.LOCATION_NOT_ASSERTED);
        register("w2", cellFrom(5_000, 30));
        assertEquals(0, accepted(deliver("w2", BEACON_RX, witnessBody(beacon(), -1085, FREQ))).workUnits());
    }
}
