package dev.flywheel.core.verify;

import dev.flywheel.core.proof.DeviceRecord;
import dev.flywheel.core.proof.DeviceStatus;
import dev.flywheel.core.proof.PlausibilityChecks;
import dev.flywheel.core.proof.ReasonCode;
import dev.flywheel.core.crypto.DeviceSigningKey;
import dev.flywheel.core.crypto.Encoding;
import dev.flywheel.core.crypto.SignatureScheme;
import dev.flywheel.core.proof.ProofCodec;
import dev.flywheel.core.proof.ProofEnvelope;
import dev.flywheel.core.proof.RejectionReason;
import dev.flywheel.core.types.sensor.SensorReading;
import dev.flywheel.core.types.sensor.SensorReason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProofVerifierTest {

    private static final Instant RECEIVED = Instant.parse("2025-11-25T12:00:00Z");
    private static final String OWNER = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";
    private static final String H3 = "8b2a100d2d1bfff";
    private static final SensorReading TEMP = new SensorReading("temperature", 21.5, "celsius");
    private static final VerificationPolicy POLICY = VerificationPolicy.defaults();

    private final Map<String, DeviceRecord> registry = new HashMap<>();
    private final Map<String, DeviceSigningKey> keys = new HashMap<>();
    private final Set<String> denylist = new java.util.HashSet<>();
    private final List<String> lookups = new ArrayList<>();
    private final ProofVerifier verifier = new ProofVerifier(
            id -> {
                lookups.add(id);
                return Optional.ofNullable(registry.get(id));
            },
            denylist::contains, POLICY, PlausibilityChecks.defaults());

    private static DeviceSigningKey newKey(SignatureScheme scheme, long seed) {
        try {
            SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
            random.setSeed(seed);
            return DeviceSigningKey.generate(scheme, random);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private DeviceSigningKey register(String deviceId, SignatureScheme scheme, DeviceStatus status) {
        DeviceSigningKey key = newKey(scheme, deviceId.hashCode());
        keys.put(deviceId, key);
        registry.put(deviceId, new DeviceRecord(deviceId, scheme, key.publicKey(), OWNER, status, H3));
        return key;
    }

    private DeviceSigningKey register(String deviceId) {
        return register(deviceId, SignatureScheme.ED25519, DeviceStatus.ACTIVE);
    }

    private static byte[] proof(String deviceId, long seq, Instant deviceTime, SensorReading body, DeviceSigningKey key) {
        return ProofCodec.encode(deviceId, seq, deviceTime, H3, body, key);
    }

    private Verdict deliver(String topicDevice, byte[] payload) {
        return verifier.verify(new InboundProof("msg-1", topicDevice, RECEIVED, payload));
    }

    private Verdict deliver(String device, Instant deviceTime, SensorReading body) {
        return deliver(device, proof(device, 42, deviceTime, body, keys.get(device)));
    }

    private static Verdict.Rejected rejected(Verdict v, RejectionReason expected) {
        Verdict.Rejected r = assertInstanceOf(Verdict.Rejected.class, v, () -> "expected " + expected + " but got " + v);
        assertEquals(expected, r.reason(), r::detail);
        return r;
    }

    private static Verdict.Accepted accepted(Verdict v) {
        return assertInstanceOf(Verdict.Accepted.class, v, () -> "expected acceptance but got " + v);
    }

    private static String proofIdOf(byte[] payload) throws Exception {
        return ProofCodec.decode(payload).proofId();
    }

    // ---------------------------------------------------------------- accepted

    @ParameterizedTest
    @EnumSource(SignatureScheme.class)
    void honestProofIsAcceptedForOneWorkUnit(SignatureScheme scheme) throws Exception {
        register("ws-1", scheme, DeviceStatus.ACTIVE);
        byte[] payload = proof("ws-1", 42, RECEIVED.minusMillis(1_250), TEMP, keys.get("ws-1"));
        Verdict.Accepted a = accepted(deliver("ws-1", payload));
        assertEquals("ws-1", a.deviceId());
        assertSame(registry.get("ws-1"), a.device());
        assertEquals(1, a.workUnits());
        assertEquals(-1_250, a.clockSkewMillis(), "device time - server receive time");
        assertEquals(42, a.proof().sequence());
        assertEquals(TEMP, a.proof().body());
        assertEquals(proofIdOf(payload), a.proof().proofId());
        assertEquals(List.of("ws-1"), lookups);
    }

    @Test
    void deviceClockAheadWithinPolicyIsAcceptedWithPositiveSkew() {
        register("ws-1");
        assertEquals(5_000, accepted(deliver("ws-1", RECEIVED.plusSeconds(5), TEMP)).clockSkewMillis());
    }

    // ---------------------------------------------------------------- identity

    @Test
    void envelopeNamingAnotherDeviceIsATopicMismatch() throws Exception {
        register("ws-1");
        register("ws-2");
        byte[] payload = proof("ws-1", 42, RECEIVED, TEMP, keys.get("ws-1"));
        Verdict.Rejected r = rejected(deliver("ws-2", payload), ReasonCode.TOPIC_DEVICE_MISMATCH);
        assertEquals("ws-2", r.deviceId(), "the rejection is filed under the authenticated topic identity");
        assertEquals(proofIdOf(payload), r.proofId());
        assertEquals(42, r.sequence());
        assertTrue(lookups.isEmpty(), "rejected before any directory lookup");
    }

    @Test
    void denylistedDevice() throws Exception {
        register("ws-1");
        denylist.add("ws-1");
        byte[] payload = proof("ws-1", 9, RECEIVED, TEMP, keys.get("ws-1"));
        Verdict.Rejected r = rejected(deliver("ws-1", payload), ReasonCode.DENYLISTED);
        assertEquals("ws-1", r.deviceId());
        assertEquals(proofIdOf(payload), r.proofId());
        assertEquals(9, r.sequence());
    }

    @Test
    void unknownDevice() throws Exception {
        DeviceSigningKey stranger = newKey(SignatureScheme.ED25519, 77);
        byte[] payload = proof("ws-9", 3, RECEIVED, TEMP, stranger);
        Verdict.Rejected r = rejected(deliver("ws-9", payload), ReasonCode.UNKNOWN_DEVICE);
        assertEquals("ws-9", r.deviceId());
        assertEquals(proofIdOf(payload), r.proofId());
        assertEquals(3, r.sequence());
        assertEquals(List.of("ws-9"), lookups);
    }

    @ParameterizedTest
    @CsvSource({"SUSPENDED, DEVICE_SUSPENDED", "REVOKED, DEVICE_REVOKED"})
    void inactiveDevices(DeviceStatus status, ReasonCode expected) throws Exception {
        register("ws-1", SignatureScheme.ED25519, status);
        byte[] payload = proof("ws-1", 5, RECEIVED, TEMP, keys.get("ws-1"));
        Verdict.Rejected r = rejected(deliver("ws-1", payload), expected);
        assertEquals("ws-1", r.deviceId());
        assertEquals(proofIdOf(payload), r.proofId());
        assertEquals(5, r.sequence());
    }

    // ---------------------------------------------------------------- time

    @Test
    void fromTheFutureJustOutsideTheSkewLimit() {
        register("ws-1");
        long limit = POLICY.maxFutureSkew().toMillis();
        assertEquals(limit, accepted(deliver("ws-1", RECEIVED.plusMillis(limit), TEMP)).clockSkewMillis());
        Verdict.Rejected r = rejected(deliver("ws-1", RECEIVED.plusMillis(limit + 1), TEMP), ReasonCode.FROM_FUTURE);
        assertEquals(limit + 1, r.evidence().get("clockSkewMillis"));
        assertEquals(limit, r.evidence().get("limitMillis"));
        assertEquals(RECEIVED.toEpochMilli(), r.evidence().get("receivedAt"));
        assertEquals(42, r.sequence());
    }

    @Test
    void staleJustOutsideMaxAge() {
        register("ws-1");
        long maxAge = POLICY.maxAge().toMillis();
        assertEquals(-maxAge, accepted(deliver("ws-1", RECEIVED.minusMillis(maxAge), TEMP)).clockSkewMillis());
        Verdict.Rejected r = rejected(deliver("ws-1", RECEIVED.minusMillis(maxAge + 1), TEMP), ReasonCode.STALE);
        assertEquals(-(maxAge + 1), r.evidence().get("clockSkewMillis"));
        assertEquals(maxAge, r.evidence().get("limitMillis"));
        assertEquals(RECEIVED.toEpochMilli(), r.evidence().get("receivedAt"));
    }

    @Test
    void policyLimitsAreTheOnesConfigured() {
        register("ws-1");
        ProofVerifier strict = new ProofVerifier(id -> Optional.ofNullable(registry.get(id)), id -> false,
                new VerificationPolicy(Duration.ofMillis(100), Duration.ofSeconds(1)), PlausibilityChecks.defaults());
        DeviceSigningKey k = keys.get("ws-1");
        assertInstanceOf(Verdict.Accepted.class, strict.verify(new InboundProof("d", "ws-1", RECEIVED,
                proof("ws-1", 1, RECEIVED.plusMillis(100), TEMP, k))));
        rejected(strict.verify(new InboundProof("d", "ws-1", RECEIVED, proof("ws-1", 1, RECEIVED.plusMillis(101), TEMP, k))),
                ReasonCode.FROM_FUTURE);
        rejected(strict.verify(new InboundProof("d", "ws-1", RECEIVED, proof("ws-1", 1, RECEIVED.minusMillis(1_001), TEMP, k))),
                ReasonCode.STALE);
    }

    // ---------------------------------------------------------------- signatures

    @Test
    void schemeOtherThanTheRegisteredOne() {
        register("ws-1", SignatureScheme.P256_SHA256, DeviceStatus.ACTIVE);
        DeviceSigningKey ed = newKey(SignatureScheme.ED25519, 1);
        Verdict.Rejected r = rejected(deliver("ws-1", proof("ws-1", 42, RECEIVED, TEMP, ed)), ReasonCode.SIGNATURE_SCHEME_MISMATCH);
        assertEquals(42, r.sequence());
    }

    @ParameterizedTest
    @EnumSource(SignatureScheme.class)
    void signedByAnotherKeyOfTheSameScheme(SignatureScheme scheme) throws Exception {
        register("ws-1", scheme, DeviceStatus.ACTIVE);
        DeviceSigningKey impostor = newKey(scheme, 99);
        byte[] payload = proof("ws-1", 42, RECEIVED, TEMP, impostor);
        Verdict.Rejected r = rejected(deliver("ws-1", payload), ReasonCode.BAD_SIGNATURE);
        assertEquals("ws-1", r.deviceId());
        assertEquals(proofIdOf(payload), r.proofId());
        assertEquals(42, r.sequence());
    }

    @Test
    void tamperedContentFailsTheSignature() {
        register("ws-1");
        String wire = new String(proof("ws-1", 42, RECEIVED, TEMP, keys.get("ws-1")), StandardCharsets.UTF_8);
        rejected(deliver("ws-1", wire.replace("\"value\":21.5", "\"value\":22.5").getBytes(StandardCharsets.UTF_8)),
                ReasonCode.BAD_SIGNATURE);
        rejected(deliver("ws-1", wire.replace("\"seq\":42", "\"seq\":43").getBytes(StandardCharsets.UTF_8)),
                ReasonCode.BAD_SIGNATURE);
    }

    @Test
    void wrongLengthOrEmptySignatureIsABadSignature() throws Exception {
        register("ws-1");
        var unsigned = ProofCodec.unsigned("ws-1", 42, RECEIVED, H3, TEMP);
        rejected(deliver("ws-1", ProofCodec.withSignature(unsigned, SignatureScheme.ED25519, new byte[0])), ReasonCode.BAD_SIGNATURE);
        rejected(deliver("ws-1", ProofCodec.withSignature(unsigned, SignatureScheme.ED25519, new byte[63])), ReasonCode.BAD_SIGNATURE);
        rejected(deliver("ws-1", ProofCodec.withSignature(unsigned, SignatureScheme.ED25519, new byte[64])), ReasonCode.BAD_SIGNATURE);
    }

    @Test
    void reformattedWireOfAnHonestProofIsStillAccepted() throws Exception {
        register("ws-1");
        byte[] canonical = proof("ws-1", 42, RECEIVED, TEMP, keys.get("ws-1"));
        var tree = dev.flywheel.core.json.CanonicalJson.parseObject(canonical);
        byte[] pretty = dev.flywheel.core.json.CanonicalJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(tree);
        Verdict.Accepted a = accepted(deliver("ws-1", pretty));
        assertEquals(proofIdOf(canonical), a.proof().proofId());
    }

    // ---------------------------------------------------------------- plausibility

    @ParameterizedTest
    @CsvSource({
            "temperature, celsius, 65, true",
            "temperature, celsius, 65.0000001, false",
            "temperature, celsius, -95, true",
            "temperature, celsius, -95.0000001, false",
            "humidity, percent, 0, true",
            "humidity, percent, -0.0000001, false",
            "humidity, percent, 100, true",
            "humidity, percent, 100.0000001, false",
            "pressure, hpa, 850, true",
            "pressure, hpa, 849.9999999, false",
            "pressure, hpa, 1090, true",
            "pressure, hpa, 1090.0000001, false",
            "pm25, ugm3, 0, true",
            "pm25, ugm3, 2000, true",
            "pm25, ugm3, 2000.0000001, false",
    })
    void physicalRangesAreInclusive(String metric, String unit, double value, boolean ok) {
        register("ws-1");
        Verdict v = deliver("ws-1", RECEIVED, new SensorReading(metric, value, unit));
        if (ok) {
            accepted(v);
        } else {
            Verdict.Rejected r = rejected(v, SensorReason.VALUE_OUT_OF_RANGE);
            assertEquals(value, r.evidence().get("value"));
            assertTrue(r.evidence().containsKey("min") && r.evidence().containsKey("max"));
            assertEquals(42, r.sequence());
            assertEquals("ws-1", r.deviceId());
        }
    }

    @Test
    void temperatureEvidenceCarriesTheLimits() {
        register("ws-1");
        Verdict.Rejected r = rejected(deliver("ws-1", RECEIVED, new SensorReading("temperature", 65.0000001, "celsius")),
                SensorReason.VALUE_OUT_OF_RANGE);
        assertEquals(Map.of("value", 65.0000001, "min", -95.0, "max", 65.0), r.evidence());
    }

    @Test
    void unknownMetricOrUnitIsASchemaError() {
        register("ws-1");
        rejected(deliver("ws-1", RECEIVED, new SensorReading("radiation", 1, "usv")), ReasonCode.SCHEMA_INVALID);
        rejected(deliver("ws-1", RECEIVED, new SensorReading("temperature", 21.5, "fahrenheit")), ReasonCode.SCHEMA_INVALID);
    }

    // ---------------------------------------------------------------- malformed and ordering

    @Test
    void malformedPayloadIsRejectedWithoutIdOrSequence() {
        Verdict.Rejected r = rejected(deliver("ws-1", "{\"v\":1".getBytes(StandardCharsets.UTF_8)), ReasonCode.MALFORMED_JSON);
        assertEquals("ws-1", r.deviceId());
        assertNull(r.proofId());
        assertEquals(-1, r.sequence());
        assertTrue(r.evidence().isEmpty());
        rejected(deliver("ws-1", new byte[ProofCodec.MAX_PAYLOAD_BYTES + 1]), ReasonCode.PAYLOAD_TOO_LARGE);
        assertTrue(lookups.isEmpty());
    }

    @Test
    void cheapChecksComeBeforeTheSignatureAndTheSignatureBeforePlausibility() {
        register("ws-1");
        DeviceSigningKey impostor = newKey(SignatureScheme.ED25519, 5);
        // Unknown device with a bad signature: identity first.
        rejected(deliver("ws-7", proof("ws-7", 1, RECEIVED, TEMP, impostor)), ReasonCode.UNKNOWN_DEVICE);
        // Stale and badly signed: time before signature.
        rejected(deliver("ws-1", proof("ws-1", 1, RECEIVED.minus(Duration.ofHours(1)), TEMP, impostor)), ReasonCode.STALE);
        // Implausible and badly signed: an unauthenticated value earns no VALUE_OUT_OF_RANGE evidence.
        rejected(deliver("ws-1", proof("ws-1", 1, RECEIVED, new SensorReading("temperature", 500, "celsius"), impostor)),
                ReasonCode.BAD_SIGNATURE);
        // Denylisted and unregistered: denylist first.
        denylist.add("ws-8");
        rejected(deliver("ws-8", proof("ws-8", 1, RECEIVED, TEMP, impostor)), ReasonCode.DENYLISTED);
    }

    @Test
    void rejectionEvidenceIsImmutableAndReasonHasAWireForm() {
        register("ws-1");
        Verdict.Rejected r = rejected(deliver("ws-1", RECEIVED.plusSeconds(60), TEMP), ReasonCode.FROM_FUTURE);
        assertThrows(UnsupportedOperationException.class, () -> r.evidence().put("x", 1));
        assertEquals("from_future", r.reason().wire());
        assertEquals("bad_signature", ReasonCode.BAD_SIGNATURE.wire());
    }

    @Test
    void deviceRecordKeepsItsOwnCopyOfTheKey() {
        DeviceSigningKey k = register("ws-1");
        byte[] pub = registry.get("ws-1").publicKey();
        pub[0] ^= 1;
        assertEquals(Encoding.hex(k.publicKey()), Encoding.hex(registry.get("ws-1").publicKey()));
        accepted(deliver("ws-1", RECEIVED, TEMP));
    }

    @Test
    void acceptedProofEnvelopeIsTheDecodedOne() throws Exception {
        register("ws-1");
        byte[] payload = proof("ws-1", 42, RECEIVED, TEMP, keys.get("ws-1"));
        ProofEnvelope decoded = ProofCodec.decode(payload);
        ProofEnvelope inVerdict = accepted(deliver("ws-1", payload)).proof();
        assertEquals(decoded.proofId(), inVerdict.proofId());
        assertEquals(decoded.deviceTime(), inVerdict.deviceTime());
        assertEquals(H3, inVerdict.h3Cell());
    }
}
