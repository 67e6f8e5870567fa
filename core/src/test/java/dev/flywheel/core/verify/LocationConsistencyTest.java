package dev.flywheel.core.verify;

import dev.flywheel.core.proof.DeviceRecord;
import dev.flywheel.core.proof.DeviceStatus;
import dev.flywheel.core.proof.PlausibilityChecks;
import dev.flywheel.core.proof.ReasonCode;
import dev.flywheel.core.crypto.DeviceSigningKey;
import dev.flywheel.core.crypto.SignatureScheme;
import dev.flywheel.core.types.mobility.GnssFix;
import dev.flywheel.core.types.mobility.LocationTrace;
import dev.flywheel.core.proof.ProofBody;
import dev.flywheel.core.proof.ProofCodec;
import dev.flywheel.core.proof.ProofTypes;
import dev.flywheel.core.types.sensor.SensorReading;
import dev.flywheel.core.types.coverage.CoverageGeo;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code location_mismatch}: a stationary proof's {@code loc.h3} against the device's asserted cell. */
class LocationConsistencyTest {

    private static final Instant RECEIVED = Instant.parse("2025-11-25T12:00:00Z");
    private static final String OWNER = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";
    /** Asserted: a res-12 cell in Manhattan. */
    private static final String ASSERTED = "8c2a100d2d1b1ff";
    /** A res-15 cell due north, 999.43 m from {@link #ASSERTED}'s centre. */
    private static final String INSIDE = "8f2a10725b2e6b4";
    /** The next res-15 cell north, 1000.31 m away. */
    private static final String OUTSIDE = "8f2a10725b2e79a";
    /** San Francisco, the simulator's teleport anchor: about 4,130 km away. */
    private static final String FAR = "8928308280fffff";
    private static final SensorReading TEMP = new SensorReading("temperature", 21.5, "celsius");

    private final Map<String, DeviceRecord> registry = new HashMap<>();
    private final Map<String, DeviceSigningKey> keys = new HashMap<>();

    private static DeviceSigningKey newKey(long seed) {
        try {
            SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
            random.setSeed(seed);
            return DeviceSigningKey.generate(SignatureScheme.ED25519, random);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void register(String deviceId, String assertedCell) {
        DeviceSigningKey key = newKey(deviceId.hashCode());
        keys.put(deviceId, key);
        registry.put(deviceId, new DeviceRecord(deviceId, SignatureScheme.ED25519, key.publicKey(), OWNER,
                DeviceStatus.ACTIVE, assertedCell));
    }

    private Verdict deliver(VerificationPolicy policy, String deviceId, String loc, ProofBody body) {
        ProofVerifier verifier = new ProofVerifier(id -> Optional.ofNullable(registry.get(id)), id -> false, policy,
                PlausibilityChecks.defaults());
        byte[] payload = ProofCodec.encode(deviceId, 1, RECEIVED, loc, body, keys.get(deviceId));
        return verifier.verify(new InboundProof("msg-1", deviceId, RECEIVED, payload));
    }

    private Verdict deliver(String deviceId, String loc, ProofBody body) {
        return deliver(VerificationPolicy.defaults(), deviceId, loc, body);
    }

    private static Verdict.Rejected rejected(Verdict v, ReasonCode expected) {
        Verdict.Rejected r = assertInstanceOf(Verdict.Rejected.class, v, () -> "expected " + expected + " but got " + v);
        assertEquals(expected, r.reason(), r::detail);
        return r;
    }

    private static void accepted(Verdict v) {
        assertInstanceOf(Verdict.Accepted.class, v, () -> "expected acceptance but got " + v);
    }

    @Test
    void theFixtureCellsLieJustInsideAndJustOutsideOneKilometre() {
        double inside = CoverageGeo.distanceMeters(INSIDE, ASSERTED);
        double outside = CoverageGeo.distanceMeters(OUTSIDE, ASSERTED);
        assertTrue(inside > 999 && inside <= 1000, "inside: " + inside);
        assertTrue(outside > 1000 && outside < 1001, "outside: " + outside);
        assertEquals(1_000.0, VerificationPolicy.defaults().maxLocationOffsetMeters());
    }

    @Test
    void locAtTheAssertedCellIsAccepted() {
        register("ws-1", ASSERTED);
        accepted(deliver("ws-1", ASSERTED, TEMP));
    }

    @Test
    void locJustInsideTheLimitIsAccepted() {
        register("ws-1", ASSERTED);
        accepted(deliver("ws-1", INSIDE, TEMP));
    }

    @Test
    void locJustOutsideTheLimitIsALocationMismatchWithEvidence() {
        register("ws-1", ASSERTED);
        Verdict.Rejected r = rejected(deliver("ws-1", OUTSIDE, TEMP), ReasonCode.LOCATION_MISMATCH);
        assertEquals(CoverageGeo.distanceMeters(OUTSIDE, ASSERTED), (double) r.evidence().get("distanceMeters"));
        assertEquals(1_000.0, r.evidence().get("limitMeters"));
        assertEquals(1, r.sequence(), "rejected after the signature check: the proof id and seq are recorded");
        assertEquals("location_mismatch", r.reason().wire());
    }

    @Test
    void theLimitIsInclusiveAndComesFromThePolicy() {
        register("ws-1", ASSERTED);
        double exact = CoverageGeo.distanceMeters(INSIDE, ASSERTED);
        VerificationPolicy atExactly = VerificationPolicy.defaults().withMaxLocationOffsetMeters(exact);
        accepted(deliver(atExactly, "ws-1", INSIDE, TEMP));
        VerificationPolicy tighter = new VerificationPolicy(Duration.ofSeconds(30), Duration.ofMinutes(10), Math.nextDown(exact));
        rejected(deliver(tighter, "ws-1", INSIDE, TEMP), ReasonCode.LOCATION_MISMATCH);
        VerificationPolicy looser = VerificationPolicy.defaults().withMaxLocationOffsetMeters(5_000_000);
        accepted(deliver(looser, "ws-1", FAR, TEMP));
    }

    @Test
    void aFarAwayStationaryProofIsRejected() {
        register("ws-1", ASSERTED);
        Verdict.Rejected r = rejected(deliver("ws-1", FAR, TEMP), ReasonCode.LOCATION_MISMATCH);
        assertTrue((double) r.evidence().get("distanceMeters") > 4_000_000);
    }

    @Test
    void aMobilityTraceFarAwayIsStillAccepted() {
        register("car-1", ASSERTED);
        LocationTrace trace = new LocationTrace(List.of(
                new GnssFix(RECEIVED.toEpochMilli() - 2_000, 377_749_000, -1_224_194_000, 9, 10, GnssFix.FIX_3D),
                new GnssFix(RECEIVED.toEpochMilli() - 1_000, 377_749_500, -1_224_194_000, 9, 10, GnssFix.FIX_3D)));
        accepted(deliver("car-1", FAR, trace));
        assertFalse(ProofTypes.builtIn().stationary(LocationTrace.TYPE));
        assertTrue(ProofTypes.builtIn().stationary(SensorReading.TYPE));
        assertFalse(ProofTypes.builtIn().stationary("no.such.type"));
    }

    @Test
    void devicesWithoutAnAssertedCellAreNotChecked() {
        register("ws-1", null);
        accepted(deliver("ws-1", FAR, TEMP));
    }

    @Test
    void anAssertedCellThatIsNotAValidH3CellIsNotChecked() {
        register("ws-1", "fffffffffffffff");
        accepted(deliver("ws-1", FAR, TEMP));
    }

    @Test
    void proofsWithoutLocAreNotChecked() {
        register("ws-1", ASSERTED);
        accepted(deliver("ws-1", null, TEMP));
    }

    @Test
    void aLocThatIsHexButNotAnH3CellIsSchemaInvalidWhenChecked() {
        register("ws-1", ASSERTED);
        rejected(deliver("ws-1", "fffffffffffffff", TEMP), ReasonCode.SCHEMA_INVALID);
        register("ws-2", null);
        accepted(deliver("ws-2", "fffffffffffffff", TEMP));
    }

    @Test
    void theTwoArgumentPolicyKeepsTheDefaultLimitAndNegativeLimitsAreRefused() {
        assertEquals(VerificationPolicy.DEFAULT_MAX_LOCATION_OFFSET_METERS,
                new VerificationPolicy(Duration.ofSeconds(1), Duration.ofSeconds(2)).maxLocationOffsetMeters());
        assertThrows(IllegalArgumentException.class, () -> VerificationPolicy.defaults().withMaxLocationOffsetMeters(-1));
        assertThrows(IllegalArgumentException.class, () -> VerificationPolicy.defaults().withMaxLocationOffsetMeters(Double.NaN));
    }
}
