package dev.flywheel.device.sim;

import dev.flywheel.core.crypto.SignatureScheme;
import dev.flywheel.core.proof.ProofCodec;
import dev.flywheel.core.proof.ProofEnvelope;
import dev.flywheel.core.types.sensor.SensorReading;
import dev.flywheel.core.proof.DeviceRecord;
import dev.flywheel.core.proof.DeviceStatus;
import dev.flywheel.core.proof.PlausibilityChecks;
import dev.flywheel.device.pki.LocalCertificateAuthority;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SimulatedDeviceTest {

    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00.123Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final String ANVIL_0 = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
    private static final String OWNER_2 = "0x70997970C51812dc3A010C7d01b50e20d17dc79C";

    @TempDir
    static Path dir;
    static LocalCertificateAuthority ca;
    static List<SimulatedDevice> fleet;

    @BeforeAll
    static void provision() {
        ca = LocalCertificateAuthority.createSelfSigned("Sim CA", Duration.ofDays(1), new SecureRandom());
        fleet = FleetSimulator.provision(12, FleetMix.DEMO, ca, dir, new SecureRandom(), List.of(ANVIL_0, OWNER_2));
    }

    private static SimulatedDevice first(DeviceRole role) {
        return fleet.stream().filter(d -> d.role() == role).findFirst().orElseThrow();
    }

    @Test
    void provisionsEveryRoleWithUniqueValidIdentities() throws Exception {
        Map<DeviceRole, Long> roles = fleet.stream().collect(Collectors.groupingBy(SimulatedDevice::role, Collectors.counting()));
        assertEquals(Map.of(DeviceRole.HONEST, 9L, DeviceRole.FORGER, 1L, DeviceRole.REPLAYER, 1L,
                DeviceRole.OUT_OF_RANGE, 1L), roles);
        Set<String> ids = new HashSet<>();
        int firstHonest = fleet.indexOf(first(DeviceRole.HONEST));
        for (int i = 0; i < fleet.size(); i++) {
            SimulatedDevice d = fleet.get(i);
            assertTrue(ids.add(d.deviceId()), "duplicate id " + d.deviceId());
            assertTrue(ProofCodec.DEVICE_ID.matcher(d.deviceId()).matches(), d.deviceId());
            assertEquals(SignatureScheme.ED25519, d.signingKey().scheme());
            assertEquals((i - firstHonest) % 2 == 0 ? ANVIL_0 : OWNER_2, d.ownerAddress(), "owners round-robin from the first honest device");
            assertTrue(d.h3Cell().matches("[0-9a-f]{15}"), d.h3Cell());
            assertEquals(10, H3Cells.resolutionOf(d.h3Cell()));
            var cert = LocalCertificateAuthority.parseCertificate(Files.readString(d.certPath()), "cert");
            assertEquals("CN=" + d.deviceId(), cert.getSubjectX500Principal().getName());
            cert.verify(ca.caCertificate().getPublicKey());
            assertTrue(Files.isReadable(d.keyPath()));
        }
    }

    @Test
    void honestProofsDecodeAndVerifyWithTheRegisteredKey() throws Exception {
        SimulatedDevice honest = first(DeviceRole.HONEST);
        List<byte[]> payloads = honest.proofPayloads(5, 41, CLOCK);

        assertEquals(5, payloads.size());
        for (int i = 0; i < payloads.size(); i++) {
            ProofEnvelope p = ProofCodec.decode(payloads.get(i));
            assertEquals(honest.deviceId(), p.deviceId());
            assertEquals(41 + i, p.sequence(), "seq increases by one");
            assertEquals(NOW, p.deviceTime());
            assertEquals(honest.h3Cell(), p.h3Cell());
            assertTrue(p.scheme().verify(honest.signingKey().publicKey(), p.signedBytes(), p.signature()),
                    "honest proof must verify with the registered key");
            assertTrue(PlausibilityChecks.defaults().check(p, record(honest)).isEmpty(),
                    "honest readings are plausible: " + p.body());
        }
        Set<String> metrics = payloads.stream().map(b -> {
            try {
                return ((SensorReading) ProofCodec.decode(b).body()).metric();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }).collect(Collectors.toSet());
        assertEquals(Set.of("temperature", "humidity", "pressure", "pm25"), metrics);
    }

    @Test
    void forgedProofsDoNotVerifyWithTheRegisteredKey() throws Exception {
        SimulatedDevice forger = first(DeviceRole.FORGER);
        assertNotEquals(List.of(forger.signingKey().publicKey()), List.of(forger.rogueKey().publicKey()));
        assertSame(forger.rogueKey(), forger.proofKey());

        for (byte[] payload : forger.proofPayloads(3, 1, CLOCK)) {
            ProofEnvelope p = ProofCodec.decode(payload); // well-formed: only the signature is wrong
            assertEquals(forger.deviceId(), p.deviceId());
            assertFalse(p.scheme().verify(forger.signingKey().publicKey(), p.signedBytes(), p.signature()));
            assertTrue(p.scheme().verify(forger.rogueKey().publicKey(), p.signedBytes(), p.signature()));
        }
    }

    @Test
    void replayerSendsTheExactSameBytesAgain() throws Exception {
        SimulatedDevice replayer = first(DeviceRole.REPLAYER);
        List<byte[]> once = replayer.proofPayloads(1, 7, CLOCK);
        List<byte[]> many = replayer.proofPayloads(4, 7, CLOCK);

        assertEquals(2, once.size(), "at least the original and one copy");
        assertEquals(4, many.size());
        assertEquals(4, replayer.messagesFor(4));
        assertArrayEquals(once.get(0), once.get(1));
        for (byte[] copy : many) {
            assertArrayEquals(many.get(0), copy);
        }
        ProofEnvelope p = ProofCodec.decode(many.get(0));
        assertEquals(7, p.sequence());
        assertTrue(p.scheme().verify(replayer.signingKey().publicKey(), p.signedBytes(), p.signature()),
                "the original is an honest proof");
        assertNull(replayer.rogueKey());
    }

    @Test
    void outOfRangeDeviceSignsAnImplausibleTemperature() throws Exception {
        SimulatedDevice hot = first(DeviceRole.OUT_OF_RANGE);
        for (byte[] payload : hot.proofPayloads(2, 1, CLOCK)) {
            ProofEnvelope p = ProofCodec.decode(payload);
            assertEquals(new SensorReading("temperature", 150.0, "celsius"), p.body());
            assertTrue(p.scheme().verify(hot.signingKey().publicKey(), p.signedBytes(), p.signature()),
                    "correctly signed: only plausibility must catch it");
            assertTrue(PlausibilityChecks.defaults().check(p, record(hot)).isPresent());
        }
    }

    @ParameterizedTest
    @EnumSource(SignatureScheme.class)
    void everySchemeProducesVerifiableProofs(SignatureScheme scheme) throws Exception {
        List<SimulatedDevice> devices = FleetSimulator.provision(2, FleetMix.of(1, 1, 0, 0), ca, dir.resolve(scheme.wireId()),
                new SecureRandom(), ProvisionOptions.defaults().withScheme(scheme).withIdPrefix("s-" + scheme.ordinal() + "-"));
        for (SimulatedDevice d : devices) {
            ProofEnvelope p = ProofCodec.decode(d.proof(3, CLOCK));
            assertEquals(scheme, p.scheme());
            assertEquals(d.role() == DeviceRole.HONEST,
                    scheme.verify(d.signingKey().publicKey(), p.signedBytes(), p.signature()));
            assertTrue(d.deviceId().startsWith("s-" + scheme.ordinal() + "-"));
        }
    }

    /** The demo claims as the first owner: whatever the shuffle, that owner holds a device that earns. */
    @Test
    void theFirstOwnerAlwaysHoldsAnHonestDevice() throws Exception {
        List<String> owners = List.of(ANVIL_0, OWNER_2, "0x00000000000000000000000000000000000f1ee1");
        for (long seed = 0; seed < 40; seed++) {
            SecureRandom rnd = SecureRandom.getInstance("SHA1PRNG");
            rnd.setSeed(seed);
            List<SimulatedDevice> small = FleetSimulator.provision(6, FleetMix.DEMO, ca, dir, rnd, owners);
            assertTrue(small.stream().anyMatch(d -> d.role() == DeviceRole.HONEST && d.ownerAddress().equals(ANVIL_0)),
                    "seed " + seed + ": " + small.stream().map(d -> d.role() + "/" + d.ownerAddress()).toList());
        }
    }

    @Test
    void provisioningRefusesOwnersThatAreNotAddresses() {
        assertThrows(IllegalArgumentException.class, () -> FleetSimulator.provision(1, FleetMix.allHonest(), ca, dir,
                new SecureRandom(), List.of("not-an-address")));
    }

    @Test
    void recordInvariants() {
        SimulatedDevice honest = first(DeviceRole.HONEST);
        assertThrows(IllegalArgumentException.class, () -> new SimulatedDevice(honest.deviceId(), DeviceRole.FORGER,
                honest.signingKey(), null, honest.certPath(), honest.keyPath(), ANVIL_0, honest.h3Cell()));
        assertThrows(IllegalArgumentException.class, () -> new SimulatedDevice(honest.deviceId(), DeviceRole.HONEST,
                honest.signingKey(), honest.signingKey(), honest.certPath(), honest.keyPath(), ANVIL_0, honest.h3Cell()));
        assertThrows(IllegalArgumentException.class, () -> honest.proofPayloads(0, 1, CLOCK));
    }

    static List<SimulatedDevice> adversaries() {
        return FleetSimulator.provision(5, FleetMix.parse("honest=2,wrong_topic=1,teleporter=1,clock_skew=1"), ca,
                dir.resolve("adversaries"), new SecureRandom(), ProvisionOptions.defaults().withIdPrefix("adv-"));
    }

    private static SimulatedDevice firstOf(List<SimulatedDevice> devices, DeviceRole role) {
        return devices.stream().filter(d -> d.role() == role).findFirst().orElseThrow();
    }

    /** The core verifier with {@code devices} registered (their registered cell is {@link SimulatedDevice#h3Cell()}). */
    private static dev.flywheel.core.verify.Verdict verify(List<SimulatedDevice> devices, String topicDevice, byte[] payload) {
        Map<String, DeviceRecord> registry = devices.stream().collect(Collectors.toMap(SimulatedDevice::deviceId, SimulatedDeviceTest::record));
        var verifier = new dev.flywheel.core.verify.ProofVerifier(id -> java.util.Optional.ofNullable(registry.get(id)), id -> false,
                dev.flywheel.core.verify.VerificationPolicy.defaults(), PlausibilityChecks.defaults());
        return verifier.verify(new dev.flywheel.core.verify.InboundProof("d", topicDevice, NOW, payload));
    }

    @Test
    void wrongTopicDeviceSignsHonestProofsButPublishesOnAnotherDevicesTopic() throws Exception {
        List<SimulatedDevice> devices = adversaries();
        SimulatedDevice w = firstOf(devices, DeviceRole.WRONG_TOPIC);
        assertNotEquals(w.deviceId(), w.targetDeviceId());
        assertTrue(devices.stream().anyMatch(d -> d.deviceId().equals(w.targetDeviceId()) && d.role() != DeviceRole.WRONG_TOPIC),
                "its target is another device of the fleet");
        assertEquals("flywheel/v1/" + w.targetDeviceId() + "/proofs", w.proofTopic());
        assertFalse(w.delivered(), "the broker ACL drops it: no verdict is expected");
        assertEquals(3, w.messagesFor(3));
        for (byte[] payload : w.proofPayloads(3, 1, CLOCK)) {
            ProofEnvelope p = ProofCodec.decode(payload);
            assertEquals(w.deviceId(), p.deviceId(), "it signs as itself");
            assertTrue(p.scheme().verify(w.signingKey().publicKey(), p.signedBytes(), p.signature()));
            // Were the broker to deliver it, the topic identity would catch it.
            assertEquals(dev.flywheel.core.proof.ReasonCode.TOPIC_DEVICE_MISMATCH,
                    ((dev.flywheel.core.verify.Verdict.Rejected) verify(devices, w.targetDeviceId(), payload)).reason());
        }
        SimulatedDevice honest = firstOf(devices, DeviceRole.HONEST);
        assertEquals("flywheel/v1/" + honest.deviceId() + "/proofs", honest.proofTopic());
        assertTrue(honest.delivered());
    }

    @Test
    void teleporterClaimsAFarAwayCellDifferentFromItsRegisteredOne() throws Exception {
        List<SimulatedDevice> devices = adversaries();
        SimulatedDevice t = firstOf(devices, DeviceRole.TELEPORTER);
        String claimed = t.assertedCell();
        assertNotEquals(t.h3Cell(), claimed);
        assertEquals(H3Cells.resolutionOf(t.h3Cell()), H3Cells.resolutionOf(claimed));
        long base = (Long.parseUnsignedLong(claimed, 16) >>> 45) & 0x7F;
        assertEquals((Long.parseUnsignedLong(SimulatedDevice.TELEPORT_ANCHOR, 16) >>> 45) & 0x7F, base, "near the far anchor");
        assertNotEquals((Long.parseUnsignedLong(t.h3Cell(), 16) >>> 45) & 0x7F, base, "another base cell than the registered one");
        assertEquals(claimed, t.assertedCell(), "the same false location every time");
        for (byte[] payload : t.proofPayloads(2, 1, CLOCK)) {
            ProofEnvelope p = ProofCodec.decode(payload);
            assertEquals(claimed, p.h3Cell());
            assertEquals(NOW, p.deviceTime());
            // Signed correctly, but thousands of kilometres from the registered cell.
            var r = (dev.flywheel.core.verify.Verdict.Rejected) verify(devices, t.deviceId(), payload);
            assertEquals(dev.flywheel.core.proof.ReasonCode.LOCATION_MISMATCH, r.reason(), r.detail());
            assertEquals("location_mismatch", r.reason().wire());
            assertTrue(((Number) r.evidence().get("distanceMeters")).doubleValue() > 4_000_000, "about 4,100 km");
        }
        SimulatedDevice honest = firstOf(devices, DeviceRole.HONEST);
        assertEquals(honest.h3Cell(), honest.assertedCell());
        // An honest device's loc is its registered cell: the location check passes it.
        for (byte[] payload : honest.proofPayloads(2, 1, CLOCK)) {
            assertEquals(honest.h3Cell(), ProofCodec.decode(payload).h3Cell());
            assertTrue(verify(devices, honest.deviceId(), payload) instanceof dev.flywheel.core.verify.Verdict.Accepted);
        }
    }

    @Test
    void clockSkewDeviceRunsFiveMinutesAheadAndIsFromTheFuture() throws Exception {
        List<SimulatedDevice> devices = adversaries();
        SimulatedDevice c = firstOf(devices, DeviceRole.CLOCK_SKEW);
        for (byte[] payload : c.proofPayloads(2, 1, CLOCK)) {
            ProofEnvelope p = ProofCodec.decode(payload);
            assertEquals(NOW.plus(Duration.ofMinutes(5)), p.deviceTime());
            assertTrue(p.scheme().verify(c.signingKey().publicKey(), p.signedBytes(), p.signature()));
            assertEquals(dev.flywheel.core.proof.ReasonCode.FROM_FUTURE,
                    ((dev.flywheel.core.verify.Verdict.Rejected) verify(devices, c.deviceId(), payload)).reason());
        }
    }

    @Test
    void wrongTopicInvariants() {
        SimulatedDevice honest = first(DeviceRole.HONEST);
        assertThrows(IllegalArgumentException.class, () -> new SimulatedDevice(honest.deviceId(), DeviceRole.WRONG_TOPIC,
                honest.signingKey(), null, honest.certPath(), honest.keyPath(), ANVIL_0, honest.h3Cell()));
        assertThrows(IllegalArgumentException.class, () -> new SimulatedDevice(honest.deviceId(), DeviceRole.WRONG_TOPIC,
                honest.signingKey(), null, honest.certPath(), honest.keyPath(), ANVIL_0, honest.h3Cell(), honest.deviceId()));
        assertThrows(IllegalArgumentException.class, () -> new SimulatedDevice(honest.deviceId(), DeviceRole.HONEST,
                honest.signingKey(), null, honest.certPath(), honest.keyPath(), ANVIL_0, honest.h3Cell(), "someone-else"));
    }

    private static DeviceRecord record(SimulatedDevice d) {
        return new DeviceRecord(d.deviceId(), d.signingKey().scheme(), d.signingKey().publicKey(),
                d.ownerAddress().toLowerCase(), DeviceStatus.ACTIVE, d.h3Cell());
    }
}
