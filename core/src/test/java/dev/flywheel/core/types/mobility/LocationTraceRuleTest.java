package dev.flywheel.core.types.mobility;

import dev.flywheel.core.crypto.SignatureScheme;
import dev.flywheel.core.proof.ProofBody;
import dev.flywheel.core.proof.ProofEnvelope;
import dev.flywheel.core.proof.RejectionReason;
import dev.flywheel.core.types.sensor.SensorReading;
import dev.flywheel.core.proof.DeviceRecord;
import dev.flywheel.core.proof.DeviceStatus;
import dev.flywheel.core.proof.PlausibilityChecks.Failure;
import dev.flywheel.core.proof.PriorProof;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LocationTraceRuleTest {
    private static final long T0 = 1_764_072_000_000L;
    private static final int LAT = 473_977_418;
    private static final int LNG = 85_455_938;
    private static final DeviceRecord DEVICE = new DeviceRecord("car-1", SignatureScheme.ED25519, new byte[32],
            "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266", DeviceStatus.ACTIVE, null);
    private static final LocationTraceRule RULE = LocationTraceRule.defaults();

    static GnssFix fix(long t, int lat, int lng) {
        return new GnssFix(t, lat, lng, 9, 10, "3d");
    }

    static LocationTrace trace(GnssFix... fixes) {
        return new LocationTrace(Arrays.asList(fixes));
    }

    /** A plausible drive north: one fix a second, about 11 m apart (40 km/h). */
    static LocationTrace drive(long start, int lat, int lng, int n) {
        List<GnssFix> fixes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            fixes.add(fix(start + i * 1000L, lat + i * 1000, lng + i * 7));
        }
        return new LocationTrace(fixes);
    }

    static ProofEnvelope envelope(ProofBody body) {
        return new ProofEnvelope(1, "car-1", 9, Instant.ofEpochMilli(T0 + 600_000), null, body,
                SignatureScheme.ED25519, new byte[64], new byte[0], "id");
    }

    static Optional<PriorProof> prior(ProofBody body) {
        return Optional.of(new PriorProof(4, Instant.ofEpochMilli(T0), Instant.ofEpochMilli(T0), null, body));
    }

    private static Optional<Failure> check(LocationTraceRule rule, LocationTrace t, Optional<PriorProof> prior) {
        return rule.check(envelope(t), t, DEVICE, prior);
    }

    private static Optional<Failure> check(LocationTrace t) {
        return check(RULE, t, Optional.empty());
    }

    private static Failure rejected(RejectionReason expected, Optional<Failure> f) {
        assertTrue(f.isPresent(), "expected " + expected);
        assertEquals(expected, f.get().reason(), f.get().detail());
        return f.get();
    }

    /** The largest northward step in 1e-7 degrees whose great-circle length is at most {@code meters}. */
    static int largestStepWithin(double meters) {
        int step = 0;
        while (GreatCircle.meters(LAT, LNG, LAT + step + 1, LNG) <= meters) {
            step++;
        }
        return step;
    }

    @Test
    void anHonestDriveIsAccepted() {
        assertEquals(Optional.empty(), check(drive(T0, LAT, LNG, 120)));
        assertEquals(Optional.empty(), check(trace(fix(T0, LAT, LNG))));
    }

    @Test
    void greatCircleMatchesKnownDistances() {
        // One degree of latitude on the mean sphere: 2 pi R / 360.
        assertEquals(111_195.08, GreatCircle.meters(0, 0, 10_000_000, 0), 0.01);
        // Half the circumference between antipodes.
        assertEquals(Math.PI * GreatCircle.EARTH_RADIUS_METERS, GreatCircle.meters(0, 0, 0, 1_800_000_000), 1e-6);
        assertEquals(Math.PI * GreatCircle.EARTH_RADIUS_METERS, GreatCircle.meters(-900_000_000, 0, 900_000_000, 0), 1e-6);
        assertEquals(0, GreatCircle.meters(LAT, LNG, LAT, LNG));
    }

    @Test
    void hdopAtTheLimitPassesAndAboveFails() {
        assertEquals(Optional.empty(), check(trace(fix(T0, LAT, LNG), new GnssFix(T0 + 1000, LAT + 50, LNG, 50, 4, "3d"))));
        Failure f = rejected(MobilityReason.GNSS_QUALITY,
                check(trace(fix(T0, LAT, LNG), new GnssFix(T0 + 1000, LAT + 50, LNG, 51, 12, "3d"))));
        assertEquals(1, f.evidence().get("fixIndex"));
        assertEquals(51, f.evidence().get("hdopX10"));
        assertEquals(50, f.evidence().get("maxHdopX10"));
    }

    @Test
    void fourSatellitesPassThreeFail() {
        Failure f = rejected(MobilityReason.GNSS_QUALITY, check(trace(new GnssFix(T0, LAT, LNG, 9, 3, "3d"))));
        assertEquals(0, f.evidence().get("fixIndex"));
        assertEquals(3, f.evidence().get("satellites"));
        assertEquals(4, f.evidence().get("minSatellites"));
        assertEquals(Optional.empty(), check(trace(new GnssFix(T0, LAT, LNG, 9, 4, "3d"))));
    }

    @Test
    void onlyA3dFixCounts() {
        for (String type : List.of("2d", "none", "dr", "3d_dr")) {
            Failure f = rejected(MobilityReason.GNSS_QUALITY, check(trace(new GnssFix(T0, LAT, LNG, 9, 12, type))));
            assertEquals(type, f.evidence().get("fixType"));
            assertEquals("3d", f.evidence().get("requiredFixType"));
        }
    }

    @Test
    void qualityLimitsAreConfigurable() {
        LocationTraceRule strict = new LocationTraceRule(new LocationTraceRule.Limits(20, 6, "3d", 70));
        LocationTrace t = trace(new GnssFix(T0, LAT, LNG, 21, 12, "3d"));
        assertTrue(check(t).isEmpty());
        rejected(MobilityReason.GNSS_QUALITY, check(strict, t, Optional.empty()));
    }

    @Test
    void speedJustInsideTheLimitPassesJustOutsideFails() {
        int step = largestStepWithin(70.0);   // 70 m/s over 1 s
        assertTrue(step > 6_000, "about 6295 steps of 1.1 cm");
        assertEquals(Optional.empty(), check(trace(fix(T0, LAT, LNG), fix(T0 + 1000, LAT + step, LNG))));
        Failure f = rejected(MobilityReason.SPEED_IMPLAUSIBLE,
                check(trace(fix(T0, LAT, LNG), fix(T0 + 1000, LAT + step + 1, LNG))));
        assertEquals(1, f.evidence().get("fixIndex"));
        assertEquals(1000L, f.evidence().get("elapsedMillis"));
        assertEquals(70.0, f.evidence().get("limitMps"));
        assertTrue((double) f.evidence().get("speedMps") > 70.0 - 0.001);
    }

    @Test
    void speedUsesTheTimeBetweenFixes() {
        int step = largestStepWithin(700.0);  // 70 m/s over 10 s
        assertEquals(Optional.empty(), check(trace(fix(T0, LAT, LNG), fix(T0 + 10_000, LAT + step, LNG))));
        rejected(MobilityReason.SPEED_IMPLAUSIBLE, check(trace(fix(T0, LAT, LNG), fix(T0 + 9_999, LAT + step, LNG))));
        // The third pair is the fast one.
        Failure f = rejected(MobilityReason.SPEED_IMPLAUSIBLE, check(trace(fix(T0, LAT, LNG), fix(T0 + 1000, LAT + 100, LNG),
                fix(T0 + 2000, LAT + 200, LNG), fix(T0 + 3000, LAT + 200 + largestStepWithin(70) + 1, LNG))));
        assertEquals(3, f.evidence().get("fixIndex"));
    }

    @Test
    void theSpeedLimitIsPerNetwork() {
        LocationTraceRule bikes = new LocationTraceRule(LocationTraceRule.Limits.vehicles().withMaxSpeedMps(15));
        int step = largestStepWithin(15.0);
        LocationTrace inside = trace(fix(T0, LAT, LNG), fix(T0 + 1000, LAT + step, LNG));
        LocationTrace outside = trace(fix(T0, LAT, LNG), fix(T0 + 1000, LAT + step + 1, LNG));
        assertEquals(Optional.empty(), check(bikes, inside, Optional.empty()));
        Failure f = rejected(MobilityReason.SPEED_IMPLAUSIBLE, check(bikes, outside, Optional.empty()));
        assertEquals(15.0, f.evidence().get("limitMps"));
        assertEquals(Optional.empty(), check(outside));
    }

    @Test
    void aFrozenTraceIsSynthetic() {
        Failure f = rejected(MobilityReason.REPEATED_TRACE, check(trace(fix(T0, LAT, LNG), fix(T0 + 1000, LAT, LNG))));
        assertEquals("frozen", f.evidence().get("pattern"));
        assertEquals(2, f.evidence().get("fixes"));
        // One fix moving by 1e-7 degrees is enough to not be frozen; a single fix cannot be.
        assertEquals(Optional.empty(), check(trace(fix(T0, LAT, LNG), fix(T0 + 1000, LAT, LNG), fix(T0 + 2000, LAT, LNG + 1))));
        assertEquals(Optional.empty(), check(trace(fix(T0, LAT, LNG))));
    }

    @Test
    void theSamePositionsAsThePreviousTraceAreAReplayEvenWithNewTimes() {
        LocationTrace previous = drive(T0, LAT, LNG, 10);
        LocationTrace replay = new LocationTrace(previous.fixes().stream()
                .map(x -> fix(x.timeMillis() + 60_000, x.latE7(), x.lngE7())).toList());
        Failure f = rejected(MobilityReason.REPEATED_TRACE, check(RULE, replay, prior(previous)));
        assertEquals("same_as_prior", f.evidence().get("pattern"));
        assertEquals(4L, f.evidence().get("priorSequence"));
        // The identical list (same times too) is the same finding, not merely out of order.
        assertEquals("same_as_prior", rejected(MobilityReason.REPEATED_TRACE, check(RULE, previous, prior(previous)))
                .evidence().get("pattern"));
        // One coordinate different: no longer a copy (and plausible: it continues 60 s later).
        List<GnssFix> changed = new ArrayList<>(replay.fixes());
        changed.set(5, fix(changed.get(5).timeMillis(), changed.get(5).latE7() + 1, changed.get(5).lngE7()));
        assertEquals(Optional.empty(), check(RULE, new LocationTrace(changed), prior(previous)));
    }

    @Test
    void aTraceMustNotStartBeforeThePreviousEnded() {
        LocationTrace previous = drive(T0, LAT, LNG, 10);   // ends at T0 + 9000
        GnssFix end = previous.last();
        Failure f = rejected(MobilityReason.TRACE_OUT_OF_ORDER,
                check(RULE, drive(end.timeMillis() - 1, end.latE7(), end.lngE7(), 5), prior(previous)));
        assertEquals(end.timeMillis() - 1, f.evidence().get("startMillis"));
        assertEquals(end.timeMillis(), f.evidence().get("priorEndMillis"));
        // Starting exactly where and when the previous ended is fine.
        assertEquals(Optional.empty(), check(RULE, drive(end.timeMillis(), end.latE7(), end.lngE7(), 5), prior(previous)));
    }

    @Test
    void teleportJustInsideAndJustOutside() {
        LocationTrace previous = trace(fix(T0, LAT, LNG));
        int step = largestStepWithin(70.0 * 60);   // 60 s after the previous trace
        LocationTrace inside = drive(T0 + 60_000, LAT + step, LNG, 3);
        LocationTrace outside = drive(T0 + 60_000, LAT + step + 1, LNG, 3);
        assertEquals(Optional.empty(), check(RULE, inside, prior(previous)));
        Failure f = rejected(MobilityReason.TELEPORT, check(RULE, outside, prior(previous)));
        assertEquals(60_000L, f.evidence().get("elapsedMillis"));
        assertEquals(70.0, f.evidence().get("limitMps"));
        assertEquals(4L, f.evidence().get("priorSequence"));
        assertTrue(f.evidence().containsKey("speedMps"));
        // Without a prior there is nothing to jump from.
        assertEquals(Optional.empty(), check(RULE, outside, Optional.empty()));
    }

    @Test
    void aJumpAtTheSameMillisecondIsATeleportWithoutASpeed() {
        LocationTrace previous = trace(fix(T0, LAT, LNG));
        Failure f = rejected(MobilityReason.TELEPORT, check(RULE, trace(fix(T0, LAT + 1, LNG)), prior(previous)));
        assertEquals(0L, f.evidence().get("elapsedMillis"));
        assertFalse(f.evidence().containsKey("speedMps"));
        assertEquals(Optional.empty(), check(RULE, trace(fix(T0, LAT, LNG)), prior(previous)));
    }

    @Test
    void aPriorOfAnotherTypeIsIgnored() {
        assertEquals(Optional.empty(), check(RULE, drive(T0, LAT, LNG, 3),
                prior(new SensorReading("temperature", 20, "celsius"))));
    }

    @Test
    void qualityIsCheckedBeforeSpeedAndSpeedBeforeThePrior() {
        LocationTrace bad = trace(fix(T0, LAT, LNG), new GnssFix(T0 + 1000, LAT + 900_000, LNG, 60, 12, "3d"));
        rejected(MobilityReason.GNSS_QUALITY, check(RULE, bad, prior(bad)));
        LocationTrace fast = trace(fix(T0, LAT, LNG), fix(T0 + 1000, LAT + 900_000, LNG));
        rejected(MobilityReason.SPEED_IMPLAUSIBLE, check(RULE, fast, prior(fast)));
    }

    @Test
    void evidenceIsFinite() {
        Failure f = rejected(MobilityReason.SPEED_IMPLAUSIBLE, check(trace(fix(T0, 0, 0), fix(T0 + 1, 900_000_000, 0))));
        for (Object v : f.evidence().values()) {
            if (v instanceof Double d) {
                assertTrue(Double.isFinite(d), f.evidence().toString());
            }
        }
    }

    @Test
    void unitsAreCoveredCellsByDefaultOrOnePerTrace() {
        assertTrue(RULE.needsPrior());
        LocationTrace drive = drive(T0, LAT, LNG, 120);
        assertEquals(H3Coverage.res9().cells(drive).size(), RULE.workUnits(drive));
        assertEquals(1, RULE.workUnits(trace(fix(T0, LAT, LNG))));
        LocationTraceRule perTrace = new LocationTraceRule(LocationTraceRule.Limits.vehicles(), LocationTraceRule.ONE_PER_TRACE);
        assertEquals(1, perTrace.workUnits(drive));
        LocationTraceRule perFix = new LocationTraceRule(LocationTraceRule.Limits.vehicles(), t -> t.fixes().size());
        assertEquals(7, perFix.workUnits(drive(T0, LAT, LNG, 7)));
    }
}
