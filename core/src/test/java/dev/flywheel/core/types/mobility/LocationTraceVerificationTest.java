package dev.flywheel.core.types.mobility;

import dev.flywheel.core.crypto.DeviceSigningKey;
import dev.flywheel.core.crypto.SignatureScheme;
import dev.flywheel.core.proof.RejectionReason;
import dev.flywheel.core.types.energy.MeterReading;
import dev.flywheel.core.proof.ProofBody;
import dev.flywheel.core.proof.ProofCodec;
import dev.flywheel.core.proof.ProofTypes;
import dev.flywheel.core.proof.DeviceRecord;
import dev.flywheel.core.proof.DeviceStatus;
import dev.flywheel.core.verify.InboundProof;
import dev.flywheel.core.proof.PlausibilityChecks;
import dev.flywheel.core.proof.PriorProof;
import dev.flywheel.core.verify.ProofVerifier;
import dev.flywheel.core.proof.ReasonCode;
import dev.flywheel.core.verify.Verdict;
import dev.flywheel.core.verify.VerificationPolicy;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** mobility.trace end to end: signed wire bytes through {@link ProofVerifier}, with the previous accepted trace. */
class LocationTraceVerificationTest {
    private static final Instant NOW = Instant.parse("2025-11-25T12:00:00Z");
    private static final int LAT = 473_977_418;
    private static final int LNG = 85_455_938;
    private static final DeviceSigningKey KEY = DeviceSigningKey.generate(SignatureScheme.P256_SHA256, new SecureRandom());

    private final Map<String, DeviceRecord> registry = new HashMap<>(Map.of("car-1", new DeviceRecord("car-1",
            SignatureScheme.P256_SHA256, KEY.publicKey(), "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266",
            DeviceStatus.ACTIVE, null)));
    /** What the ledger remembers: the last accepted proof per (device, type). */
    private final Map<String, PriorProof> last = new HashMap<>();
    private final List<String> priorLookups = new ArrayList<>();
    private final ProofVerifier verifier = new ProofVerifier(id -> Optional.ofNullable(registry.get(id)), id -> false,
            VerificationPolicy.defaults(), PlausibilityChecks.defaults(), ProofTypes.enabled(Set.of(LocationTrace.TYPE)),
            (device, type) -> {
                priorLookups.add(device + "/" + type);
                return Optional.ofNullable(last.get(device + "/" + type));
            });
    private long seq;

    private static LocationTrace drive(long start, int lat, int n) {
        List<GnssFix> fixes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            fixes.add(new GnssFix(start + i * 1000L, lat + i * 1500, LNG + i * 10, 8, 11, "3d"));
        }
        return new LocationTrace(fixes);
    }

    /** Publishes a proof made now and, like the ledger, remembers it when accepted. */
    private Verdict publish(ProofBody body, Instant receivedAt) {
        long s = ++seq;
        byte[] wire = ProofCodec.encode("car-1", s, receivedAt, null, body, KEY);
        Verdict v = verifier.verify(new InboundProof("d-" + s, "car-1", receivedAt, wire));
        if (v instanceof Verdict.Accepted a) {
            last.put("car-1/" + body.type(), new PriorProof(s, a.proof().deviceTime(), receivedAt, null, body));
        }
        return v;
    }

    private Verdict.Rejected rejected(RejectionReason expected, Verdict v) {
        Verdict.Rejected r = assertInstanceOf(Verdict.Rejected.class, v);
        assertEquals(expected, r.reason(), r.detail());
        return r;
    }

    @Test
    void consecutiveTracesAreAcceptedAndEarnCoveredCells() {
        long t = NOW.toEpochMilli() - 120_000;
        LocationTrace first = drive(t, LAT, 60);
        Verdict.Accepted a = assertInstanceOf(Verdict.Accepted.class, publish(first, NOW));
        assertEquals(H3Coverage.res9().cells(first).size(), a.workUnits());
        assertTrue(a.workUnits() >= 2, "a 1.3 km drive crosses several res-9 cells");
        // The next minute continues where the first ended.
        LocationTrace second = drive(first.last().timeMillis() + 1000, first.last().latE7() + 1500, 60);
        assertInstanceOf(Verdict.Accepted.class, publish(second, NOW.plusSeconds(60)));
        assertEquals(List.of("car-1/mobility.trace", "car-1/mobility.trace"), priorLookups);
    }

    @Test
    void everyFindingIsRecordedWithItsEvidence() {
        long t = NOW.toEpochMilli() - 120_000;
        LocationTrace first = drive(t, LAT, 60);
        assertInstanceOf(Verdict.Accepted.class, publish(first, NOW));
        long end = first.last().timeMillis();

        // 50 km away one second later.
        Verdict.Rejected teleport = rejected(MobilityReason.TELEPORT, publish(drive(end + 1000, LAT + 4_500_000, 5), NOW.plusSeconds(1)));
        assertEquals(1L, teleport.evidence().get("priorSequence"));
        assertEquals(1000L, teleport.evidence().get("elapsedMillis"));
        assertEquals(2, teleport.sequence());

        rejected(MobilityReason.TRACE_OUT_OF_ORDER, publish(drive(end - 5000, first.last().latE7(), 5), NOW.plusSeconds(2)));
        rejected(MobilityReason.REPEATED_TRACE, publish(first, NOW.plusSeconds(3)));

        List<GnssFix> poor = new ArrayList<>(drive(end + 1000, first.last().latE7() + 1500, 5).fixes());
        GnssFix p = poor.get(2);
        poor.set(2, new GnssFix(p.timeMillis(), p.latE7(), p.lngE7(), 80, 3, "2d"));
        Verdict.Rejected quality = rejected(MobilityReason.GNSS_QUALITY, publish(new LocationTrace(poor), NOW.plusSeconds(4)));
        assertEquals(2, quality.evidence().get("fixIndex"));

        List<GnssFix> jump = new ArrayList<>(drive(end + 1000, first.last().latE7() + 1500, 5).fixes());
        GnssFix j = jump.get(3);
        jump.set(3, new GnssFix(j.timeMillis(), j.latE7() + 100_000, j.lngE7(), 8, 11, "3d"));
        rejected(MobilityReason.SPEED_IMPLAUSIBLE, publish(new LocationTrace(jump), NOW.plusSeconds(5)));

        List<GnssFix> frozen = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            frozen.add(new GnssFix(end + 1000 + i * 1000L, first.last().latE7(), first.last().lngE7(), 8, 11, "3d"));
        }
        rejected(MobilityReason.REPEATED_TRACE, publish(new LocationTrace(frozen), NOW.plusSeconds(6)));

        // None of the rejections moved the reference point: a proper continuation is still accepted.
        assertInstanceOf(Verdict.Accepted.class, publish(drive(end + 1000, first.last().latE7() + 1500, 5), NOW.plusSeconds(7)));
    }

    @Test
    void aNetworkThatDoesNotRewardMeteringRejectsIt() {
        MeterReading r = new MeterReading("m1", NOW.toEpochMilli() - 60_000, NOW.toEpochMilli(), 10, 100, OptionalLong.of(9));
        rejected(ReasonCode.UNKNOWN_PROOF_TYPE, publish(r, NOW));
    }

    @Test
    void aTamperedTraceFailsTheSignatureBeforeAnyPlausibilityCheck() {
        byte[] wire = ProofCodec.encode("car-1", 1, NOW, null, drive(NOW.toEpochMilli() - 60_000, LAT, 10), KEY);
        String text = new String(wire, java.nio.charset.StandardCharsets.UTF_8).replace("\"latE7\":473977418", "\"latE7\":473977419");
        Verdict v = verifier.verify(new InboundProof("d", "car-1", NOW, text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        rejected(ReasonCode.BAD_SIGNATURE, v);
        assertEquals(List.of(), priorLookups);
    }
}
