package dev.flywheel.core.types.sensor;

import dev.flywheel.core.crypto.SignatureScheme;
import dev.flywheel.core.proof.ProofBody;
import dev.flywheel.core.proof.ProofEnvelope;
import dev.flywheel.core.proof.DeviceRecord;
import dev.flywheel.core.proof.DeviceStatus;
import dev.flywheel.core.proof.PlausibilityChecks;
import dev.flywheel.core.proof.PlausibilityChecks.Failure;
import dev.flywheel.core.proof.PriorProof;
import dev.flywheel.core.proof.ReasonCode;
import dev.flywheel.core.proof.RejectionReason;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SensorReadingRuleTest {
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    private static final String CELL = "8a2a1072b59ffff";
    private static final DeviceRecord DEVICE = device(CELL);
    private static final SensorReadingRule RULE = SensorReadingRule.defaults();

    private static DeviceRecord device(String cell) {
        return new DeviceRecord("wx-1", SignatureScheme.ED25519, new byte[32],
                "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266", DeviceStatus.ACTIVE, cell);
    }

    private static SensorReading t(double celsius) {
        return new SensorReading("temperature", celsius, "celsius");
    }

    private static ProofEnvelope proof(long seq, Instant time, SensorReading r) {
        return new ProofEnvelope(1, "wx-1", seq, time, CELL, r, SignatureScheme.ED25519, new byte[64], new byte[0], "id");
    }

    private static Optional<PriorProof> prior(long seq, Instant time, ProofBody body, int repeats) {
        return Optional.of(new PriorProof(seq, time, time, CELL, body, repeats));
    }

    /** The reading with seq 10 at {@code T0 + afterMillis}, the prior with seq 9 at T0. */
    private static Optional<Failure> after(SensorReadingRule rule, SensorReading prior, long afterMillis, SensorReading r) {
        return rule.check(proof(10, T0.plusMillis(afterMillis), r), r, DEVICE, prior(9, T0, prior, 0));
    }

    private static Failure rejected(RejectionReason expected, Optional<Failure> f) {
        assertTrue(f.isPresent(), "expected " + expected);
        assertEquals(expected, f.get().reason(), f.get().detail());
        return f.get();
    }

    private static void accepted(Optional<Failure> f) {
        assertTrue(f.isEmpty(), () -> "expected no failure, got " + f.get());
    }

    @Test
    void needsThePriorReading() {
        assertTrue(RULE.needsPrior());
        assertTrue(new SensorReadingRule(Map.of()).needsPrior());
    }

    // --- stuck values -------------------------------------------------------------------------------------------

    @Test
    void theEleventhIdenticalReadingPassesTheTwelfthIsStuck() {
        SensorReading r = t(21.5);
        // prior = the 10th of a run (repeats 9): this one would be the 11th
        accepted(RULE.check(proof(10, T0.plusSeconds(60), r), r, DEVICE, prior(9, T0, r, 9)));
        // prior = the 11th (repeats 10): this one would be the 12th
        Failure f = rejected(SensorReason.STUCK_VALUE, RULE.check(proof(10, T0.plusSeconds(60), r), r, DEVICE, prior(9, T0, r, 10)));
        assertEquals(Map.of("repeats", 12L, "limit", 12, "priorSequence", 9L), f.evidence());
        // and the run stays stuck while the value does not move
        rejected(SensorReason.STUCK_VALUE, RULE.check(proof(10, T0.plusSeconds(60), r), r, DEVICE, prior(9, T0, r, 40)));
    }

    @Test
    void aValueThatMovesByTheLastDigitIsNotStuck() {
        accepted(RULE.check(proof(10, T0.plusSeconds(60), t(21.6)), t(21.6), DEVICE, prior(9, T0, t(21.5), 10)));
        // another metric with the same number is another body
        SensorReading h = new SensorReading("humidity", 21.5, "percent");
        accepted(RULE.check(proof(10, T0.plusSeconds(60), h), h, DEVICE, prior(9, T0, t(21.5), 10)));
    }

    @Test
    void theStuckLimitIsConfigurable() {
        SensorReadingRule rule = RULE.withStuckLimit(3);
        SensorReading r = t(5);
        accepted(rule.check(proof(10, T0.plusSeconds(60), r), r, DEVICE, prior(9, T0, r, 0)));   // 2nd in a row
        Failure f = rejected(SensorReason.STUCK_VALUE, rule.check(proof(10, T0.plusSeconds(60), r), r, DEVICE, prior(9, T0, r, 1)));
        assertEquals(3L, f.evidence().get("repeats"));
        assertEquals(3, f.evidence().get("limit"));
        assertThrows(IllegalArgumentException.class, () -> RULE.withStuckLimit(1));
    }

    @Test
    void aNewerPriorIsNotCompared() {
        SensorReading r = t(21.5);
        // a late reading (seq 8) arriving after seq 9 was remembered: neither stuck nor rate is judged against it
        accepted(RULE.check(proof(8, T0.minusSeconds(1), r), r, DEVICE, prior(9, T0, r, 30)));
        accepted(RULE.check(proof(8, T0.minusSeconds(1), t(40)), t(40), DEVICE, prior(9, T0, r, 0)));
    }

    // --- rate of change -----------------------------------------------------------------------------------------

    @Test
    void temperatureMayChangeThreeDegreesPerMinute() {
        accepted(after(RULE, t(20), 60_000, t(23)));
        accepted(after(RULE, t(20), 60_000, t(17)));
        Failure up = rejected(SensorReason.RATE_OF_CHANGE, after(RULE, t(20), 60_000, t(23.01)));
        assertEquals(1.0, up.evidence().get("minutes"));
        assertEquals(3.0, up.evidence().get("limit"));
        assertEquals(9L, up.evidence().get("priorSequence"));
        assertEquals(3.01, (double) up.evidence().get("delta"), 1e-9);
        rejected(SensorReason.RATE_OF_CHANGE, after(RULE, t(20), 60_000, t(16.99)));
        // ten minutes: 30 degrees
        accepted(after(RULE, t(-10), 600_000, t(20)));
        rejected(SensorReason.RATE_OF_CHANGE, after(RULE, t(-10), 600_000, t(20.5)));
    }

    @Test
    void humidityPressureAndPm25HaveTheirOwnRates() {
        SensorReading h50 = new SensorReading("humidity", 50, "percent");
        accepted(after(RULE, h50, 60_000, new SensorReading("humidity", 60, "percent")));
        rejected(SensorReason.RATE_OF_CHANGE, after(RULE, h50, 60_000, new SensorReading("humidity", 60.5, "percent")));

        SensorReading p = new SensorReading("pressure", 1000, "hpa");
        accepted(after(RULE, p, 300_000, new SensorReading("pressure", 1010, "hpa")));
        rejected(SensorReason.RATE_OF_CHANGE, after(RULE, p, 300_000, new SensorReading("pressure", 1010.5, "hpa")));

        SensorReading pm = new SensorReading("pm25", 10, "ugm3");
        accepted(after(RULE, pm, 30_000, new SensorReading("pm25", 110, "ugm3")));
        rejected(SensorReason.RATE_OF_CHANGE, after(RULE, pm, 30_000, new SensorReading("pm25", 110.5, "ugm3")));
    }

    @Test
    void readingsLessThanASecondApartCountAsOneSecond() {
        // 60 per minute = 1 per second, exact in binary
        SensorReadingRule rule = new SensorReadingRule(Map.of("temperature", new SensorReadingRule.Range("celsius", -95, 65)),
                Map.of("temperature", new SensorReadingRule.Dynamics(60, 8)), 12, null);
        for (long gap : new long[] {0, 1, 500, 999, 1000}) {
            accepted(after(rule, t(20), gap, t(21)));
            Failure f = rejected(SensorReason.RATE_OF_CHANGE, after(rule, t(20), gap, t(21.01)));
            assertEquals(1 / 60.0, f.evidence().get("minutes"));
        }
        accepted(after(rule, t(20), 2000, t(22)));
        rejected(SensorReason.RATE_OF_CHANGE, after(rule, t(20), 2000, t(22.01)));
    }

    @Test
    void anotherMetricAsPriorIsNoRateCheck() {
        accepted(after(RULE, new SensorReading("humidity", 90, "percent"), 1000, t(-40)));
    }

    @Test
    void rangeIsCheckedFirst() {
        rejected(SensorReason.VALUE_OUT_OF_RANGE, after(RULE, t(20), 60_000, t(66)));
        rejected(ReasonCode.SCHEMA_INVALID, after(RULE, t(20), 60_000, new SensorReading("temperature", 20, "kelvin")));
    }

    // --- neighbour agreement ------------------------------------------------------------------------------------

    /** Records the query and answers with fixed values. */
    private static final class FakeNeighbours implements NeighbourReadings {
        final List<Double> values;
        final List<List<Object>> calls = new ArrayList<>();

        FakeNeighbours(Double... values) {
            this.values = List.of(values);
        }

        @Override
        public List<Double> recent(String metric, String h3Parent, Instant since, String excludingDevice) {
            calls.add(List.of(metric, h3Parent, since, excludingDevice));
            return values;
        }
    }

    private static Optional<Failure> near(FakeNeighbours n, DeviceRecord device, SensorReading r) {
        return RULE.withNeighbours(n).check(proof(10, T0, r), r, device, Optional.empty(), T0.plusSeconds(5));
    }

    @Test
    void aReadingWithinTheToleranceOfTheNeighboursMedianPasses() {
        FakeNeighbours n = new FakeNeighbours(20.0, 22.0, 21.0);
        accepted(near(n, DEVICE, t(29)));
        accepted(near(n, DEVICE, t(13)));
        Failure f = rejected(SensorReason.NEIGHBOUR_DISAGREEMENT, near(n, DEVICE, t(29.5)));
        assertEquals(21.0, f.evidence().get("median"));
        assertEquals(8.5, f.evidence().get("deviation"));
        assertEquals(3, f.evidence().get("neighbours"));
        assertEquals(8.0, f.evidence().get("tolerance"));
        assertEquals(29.5, f.evidence().get("value"));
        assertEquals("852a1073fffffff", f.evidence().get("h3Parent"));
        rejected(SensorReason.NEIGHBOUR_DISAGREEMENT, near(n, DEVICE, t(12.5)));
        // the query: the device's res-5 parent, the hour before the server receive time, the device itself excluded
        assertEquals(List.of("temperature", "852a1073fffffff", T0.plusSeconds(5).minus(Duration.ofHours(1)), "wx-1"), n.calls.get(0));
    }

    @Test
    void eachMetricHasItsTolerance() {
        FakeNeighbours n = new FakeNeighbours(50.0, 50.0, 50.0, 60.0);   // median 50
        accepted(near(n, DEVICE, new SensorReading("humidity", 75, "percent")));
        rejected(SensorReason.NEIGHBOUR_DISAGREEMENT, near(n, DEVICE, new SensorReading("humidity", 75.5, "percent")));
        FakeNeighbours p = new FakeNeighbours(1000.0, 1010.0, 1004.0, 1006.0);   // median 1005
        accepted(near(p, DEVICE, new SensorReading("pressure", 1020, "hpa")));
        rejected(SensorReason.NEIGHBOUR_DISAGREEMENT, near(p, DEVICE, new SensorReading("pressure", 1020.5, "hpa")));
        FakeNeighbours pm = new FakeNeighbours(10.0, 12.0, 14.0);   // median 12
        accepted(near(pm, DEVICE, new SensorReading("pm25", 162, "ugm3")));
        rejected(SensorReason.NEIGHBOUR_DISAGREEMENT, near(pm, DEVICE, new SensorReading("pm25", 162.5, "ugm3")));
    }

    @Test
    void fewerThanThreeNeighboursIsNoCheck() {
        accepted(near(new FakeNeighbours(20.0, 21.0), DEVICE, t(60)));
        accepted(near(new FakeNeighbours(), DEVICE, t(60)));
        rejected(SensorReason.NEIGHBOUR_DISAGREEMENT, near(new FakeNeighbours(20.0, 21.0, 22.0), DEVICE, t(60)));
    }

    @Test
    void devicesWithoutAUsableLocationAreNotCompared() {
        FakeNeighbours n = new FakeNeighbours(20.0, 21.0, 22.0);
        accepted(near(n, device(null), t(60)));
        accepted(near(n, device("832a10fffffffff"), t(60)));   // resolution 3: coarser than the neighbour cell
        accepted(near(n, device("not-a-cell"), t(60)));
        assertTrue(n.calls.isEmpty());
        // a res-5 cell is its own parent
        rejected(SensorReason.NEIGHBOUR_DISAGREEMENT, near(n, device("852a1073fffffff"), t(60)));
    }

    @Test
    void withoutAPortThereIsNoNeighbourCheck() {
        accepted(RULE.check(proof(10, T0, t(60)), t(60), DEVICE, Optional.empty(), T0));
    }

    @Test
    void theWindowCountsBackFromDeviceTimeWhenNoReceiveTimeIsGiven() {
        FakeNeighbours n = new FakeNeighbours(20.0, 21.0, 22.0);
        accepted(RULE.withNeighbours(n).check(proof(10, T0, t(21)), t(21), DEVICE, Optional.empty()));
        assertEquals(T0.minus(Duration.ofHours(1)), n.calls.get(0).get(2));
    }

    @Test
    void medianOfEvenAndOddCounts() {
        assertEquals(26.0, SensorReadingRule.median(List.of(40.0, 20.0, 30.0, 22.0)));
        assertEquals(21.0, SensorReadingRule.median(List.of(22.0, 20.0, 21.0)));
    }

    @Test
    void plausibilityChecksFetchThePriorForSensorReadings() {
        SensorReading r = t(21.5);
        var checks = new PlausibilityChecks(List.of(RULE));
        var priors = (dev.flywheel.core.proof.PriorProofs) (device, type) -> prior(9, T0, r, 10);
        Failure f = checks.check(proof(10, T0.plusSeconds(60), r), DEVICE, priors, T0.plusSeconds(61)).orElseThrow();
        assertEquals(SensorReason.STUCK_VALUE, f.reason());
        assertFalse(PlausibilityChecks.defaults().check(proof(10, T0.plusSeconds(60), t(21.6)), DEVICE, priors).isPresent());
    }
}
