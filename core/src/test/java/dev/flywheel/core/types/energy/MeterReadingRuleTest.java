package dev.flywheel.core.types.energy;

import dev.flywheel.core.crypto.SignatureScheme;
import dev.flywheel.core.proof.ProofBody;
import dev.flywheel.core.proof.ProofEnvelope;
import dev.flywheel.core.proof.RejectionReason;
import dev.flywheel.core.types.sensor.SensorReading;
import dev.flywheel.core.proof.DeviceRecord;
import dev.flywheel.core.proof.DeviceStatus;
import dev.flywheel.core.proof.PlausibilityChecks.Failure;
import dev.flywheel.core.proof.PriorProof;
import dev.flywheel.core.proof.ReasonCode;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MeterReadingRuleTest {
    private static final long H = 3_600_000L;
    private static final long T0 = 1_764_072_000_000L;   // an interval start
    private static final DeviceRecord DEVICE = new DeviceRecord("meter-1", SignatureScheme.ED25519, new byte[32],
            "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266", DeviceStatus.ACTIVE, null);
    private static final MeterReadingRule RULE = MeterReadingRule.defaults();

    static MeterReading reading(long start, long end, Long startWh, long endWh, long ratedW) {
        return new MeterReading("m1", start, end, endWh, ratedW, startWh == null ? OptionalLong.empty() : OptionalLong.of(startWh));
    }

    /** The proof is made when the interval ends. */
    private static Optional<Failure> check(MeterReadingRule rule, MeterReading r, Optional<PriorProof> prior) {
        return check(rule, r, r.endMillis(), prior);
    }

    private static Optional<Failure> check(MeterReadingRule rule, MeterReading r, long proofTime, Optional<PriorProof> prior) {
        ProofEnvelope proof = new ProofEnvelope(1, "meter-1", 2, Instant.ofEpochMilli(proofTime), null, r,
                SignatureScheme.ED25519, new byte[64], new byte[0], "id");
        return rule.check(proof, r, DEVICE, prior);
    }

    private static Optional<Failure> check(MeterReading r) {
        return check(RULE, r, Optional.empty());
    }

    private static Optional<Failure> check(MeterReading r, ProofBody prior) {
        return check(RULE, r, Optional.of(new PriorProof(1, Instant.ofEpochMilli(T0), Instant.ofEpochMilli(T0), null, prior)));
    }

    private static Failure rejected(RejectionReason expected, Optional<Failure> f) {
        assertTrue(f.isPresent(), "expected " + expected);
        assertEquals(expected, f.get().reason(), f.get().detail());
        return f.get();
    }

    @Test
    void anHonestHourIsAcceptedAndEarnsItsEnergy() {
        MeterReading r = reading(T0, T0 + H, 10_000L, 14_000, 8_000);
        assertEquals(Optional.empty(), check(r));
        assertEquals(4_000, RULE.workUnits(r));
        assertTrue(RULE.needsPrior());
    }

    @Test
    void intervalMustBeNonEmpty() {
        Failure f = rejected(ReasonCode.INTERVAL_INVALID, check(RULE, reading(T0, T0, 0L, 0, 1000), T0 + 1, Optional.empty()));
        assertEquals(0L, f.evidence().get("durationMillis"));
        rejected(ReasonCode.INTERVAL_INVALID, check(RULE, reading(T0 + 1, T0, 0L, 0, 1000), T0 + 1, Optional.empty()));
        assertEquals(Optional.empty(), check(reading(T0, T0 + 1, 0L, 0, 1000)));
    }

    @Test
    void intervalOfExactlyTheLimitPassesOneMillisecondMoreFails() {
        assertEquals(Optional.empty(), check(reading(T0, T0 + H, 0L, 0, 1000)));
        Failure f = rejected(ReasonCode.INTERVAL_INVALID, check(reading(T0, T0 + H + 1, 0L, 0, 1000)));
        assertEquals(H + 1, f.evidence().get("durationMillis"));
        assertEquals(H, f.evidence().get("limitMillis"));
        MeterReadingRule quarterHours = new MeterReadingRule(new MeterReadingRule.Limits(15 * 60_000, 100_000));
        rejected(ReasonCode.INTERVAL_INVALID, check(quarterHours, reading(T0, T0 + 15 * 60_000 + 1, 0L, 0, 1000), Optional.empty()));
    }

    @Test
    void intervalMustHaveEndedWhenTheProofWasMade() {
        MeterReading r = reading(T0, T0 + H, 0L, 100, 1000);
        assertEquals(Optional.empty(), check(RULE, r, T0 + H, Optional.empty()));
        Failure f = rejected(ReasonCode.INTERVAL_INVALID, check(RULE, r, T0 + H - 1, Optional.empty()));
        assertEquals(T0 + H - 1, f.evidence().get("proofTimeMillis"));
    }

    @Test
    void counterMustNotRunBackwardsWithinAReading() {
        Failure f = rejected(EnergyReason.COUNTER_DECREASED, check(reading(T0, T0 + H, 1001L, 1000, 1000)));
        assertEquals(1001L, f.evidence().get("startEnergyWh"));
        assertFalse(f.evidence().containsKey("priorEnergyWh"));
        assertEquals(Optional.empty(), check(reading(T0, T0 + H, 1000L, 1000, 1000)));
    }

    @Test
    void powerExactlyAtRatedCapacityPassesOneWhMoreFails() {
        assertEquals(Optional.empty(), check(reading(T0, T0 + H, 0L, 1000, 1000)));
        Failure f = rejected(EnergyReason.POWER_ABOVE_CAPACITY, check(reading(T0, T0 + H, 0L, 1001, 1000)));
        assertEquals("interval", f.evidence().get("basis"));
        assertEquals(1001L, f.evidence().get("deltaWh"));
        assertEquals(H, f.evidence().get("durationMillis"));
        assertEquals(1001.0, f.evidence().get("averagePowerW"));
        assertEquals(1000L, f.evidence().get("limitW"));
        // A quarter hour at 1 kW is 250 Wh.
        assertEquals(Optional.empty(), check(reading(T0, T0 + H / 4, 0L, 250, 1000)));
        rejected(EnergyReason.POWER_ABOVE_CAPACITY, check(reading(T0, T0 + H / 4, 0L, 251, 1000)));
        // Exact integer arithmetic: 1 Wh in 3.6 s is exactly 1000 W; 1 ms less is above.
        assertEquals(Optional.empty(), check(reading(T0, T0 + 3_600, 0L, 1, 1000)));
        rejected(EnergyReason.POWER_ABOVE_CAPACITY, check(reading(T0, T0 + 3_599, 0L, 1, 1000)));
    }

    @Test
    void ratedPowerIsCappedByTheNetworkMaximum() {
        MeterReading claimsTwoMegawatts = reading(T0, T0 + H, 0L, 100_001, 2_000_000);
        Failure f = rejected(EnergyReason.POWER_ABOVE_CAPACITY, check(claimsTwoMegawatts));
        assertEquals(100_000L, f.evidence().get("limitW"));
        assertEquals(2_000_000L, f.evidence().get("ratedPowerW"));
        assertEquals(Optional.empty(), check(reading(T0, T0 + H, 0L, 100_000, 2_000_000)));
        assertEquals(100_000, RULE.capacityW(claimsTwoMegawatts));
    }

    @Test
    void zeroRatedPowerAcceptsOnlyZeroEnergy() {
        assertEquals(Optional.empty(), check(reading(T0, T0 + H, 5L, 5, 0)));
        rejected(EnergyReason.POWER_ABOVE_CAPACITY, check(reading(T0, T0 + H, 5L, 6, 0)));
    }

    @Test
    void hugeCountersDoNotOverflow() {
        long big = 9_007_199_254_740_991L;
        rejected(EnergyReason.POWER_ABOVE_CAPACITY, check(reading(T0, T0 + H, 0L, big, 100_000)));
        assertEquals(Optional.empty(), check(reading(T0, T0 + H, big - 1000, big, 1000)));
    }

    @Test
    void overlappingThePreviousIntervalIsRejectedTouchingItIsNot() {
        MeterReading previous = reading(T0, T0 + H, 0L, 500, 1000);
        Failure f = rejected(EnergyReason.OVERLAPPING_INTERVAL, check(reading(T0 + H - 1, T0 + 2 * H - 1, 500L, 900, 1000), previous));
        assertEquals(T0 + H - 1, f.evidence().get("startMillis"));
        assertEquals(T0 + H, f.evidence().get("priorEndMillis"));
        assertEquals(1L, f.evidence().get("priorSequence"));
        assertEquals(Optional.empty(), check(reading(T0 + H, T0 + 2 * H, 500L, 900, 1000), previous));
        // The same reading again (a replay with a new seq) overlaps itself.
        rejected(EnergyReason.OVERLAPPING_INTERVAL, check(previous, previous));
        // Another meter of the same device cannot claim the same time either.
        MeterReading otherMeter = new MeterReading("m2", T0 + H / 2, T0 + H, 10, 1000, OptionalLong.of(0));
        rejected(EnergyReason.OVERLAPPING_INTERVAL, check(otherMeter, previous));
    }

    @Test
    void aGapIsAcceptedAndEarnsOnlyTheIntervalsEnergy() {
        MeterReading previous = reading(T0, T0 + H, 0L, 500, 1000);
        MeterReading afterSixHours = reading(T0 + 7 * H, T0 + 8 * H, 4000L, 4900, 1000);
        assertEquals(Optional.empty(), check(afterSixHours, previous));
        assertEquals(900, RULE.workUnits(afterSixHours));
    }

    @Test
    void theCounterNeverDecreasesAgainstThePreviousReading() {
        MeterReading previous = reading(T0, T0 + H, 0L, 500, 1000);
        Failure f = rejected(EnergyReason.COUNTER_DECREASED, check(reading(T0 + H, T0 + 2 * H, null, 499, 1000), previous));
        assertEquals(499L, f.evidence().get("energyWh"));
        assertEquals(500L, f.evidence().get("priorEnergyWh"));
        assertEquals(1L, f.evidence().get("priorSequence"));
        assertEquals(Optional.empty(), check(reading(T0 + H, T0 + 2 * H, null, 500, 1000), previous));
        // A start counter below the previous end counter is a reset too.
        Failure s = rejected(EnergyReason.COUNTER_DECREASED, check(reading(T0 + H, T0 + 2 * H, 499L, 600, 1000), previous));
        assertEquals(499L, s.evidence().get("startEnergyWh"));
        assertEquals(Optional.empty(), check(reading(T0 + H, T0 + 2 * H, 500L, 600, 1000), previous));
    }

    @Test
    void aReplacedMeterStartsItsOwnCounter() {
        MeterReading previous = reading(T0, T0 + H, 0L, 90_000, 1000);
        MeterReading newMeter = new MeterReading("m2", T0 + H, T0 + 2 * H, 300, 1000, OptionalLong.of(0));
        assertEquals(Optional.empty(), check(newMeter, previous));
    }

    @Test
    void energySinceThePreviousReadingMustFitTheCapacity() {
        MeterReading previous = reading(T0, T0 + H, 0L, 500, 1000);
        // No start counter: 1000 W over the hour since the previous end is the most there can be.
        assertEquals(Optional.empty(), check(reading(T0 + H, T0 + 2 * H, null, 1500, 1000), previous));
        Failure f = rejected(EnergyReason.POWER_ABOVE_CAPACITY, check(reading(T0 + H, T0 + 2 * H, null, 1501, 1000), previous));
        assertEquals("since_prior", f.evidence().get("basis"));
        assertEquals(1001L, f.evidence().get("deltaWh"));
        assertEquals(H, f.evidence().get("durationMillis"));
        // With a start counter the interval may be honest while the jump across the gap is not:
        // 2 h since the previous end allow 2000 Wh in all.
        assertEquals(Optional.empty(), check(reading(T0 + 2 * H, T0 + 3 * H, 1500L, 2500, 1000), previous));
        Failure g = rejected(EnergyReason.POWER_ABOVE_CAPACITY, check(reading(T0 + 2 * H, T0 + 3 * H, 1600L, 2501, 1000), previous));
        assertEquals("since_prior", g.evidence().get("basis"));
        assertEquals(2 * H, g.evidence().get("durationMillis"));
    }

    @Test
    void aPriorOfAnotherTypeIsIgnored() {
        assertEquals(Optional.empty(), check(reading(T0, T0 + H, 0L, 10, 1000), new SensorReading("temperature", 1, "celsius")));
    }

    @Test
    void workUnitsAreTheIntervalEnergyCapped() {
        assertEquals(1000, RULE.workUnits(reading(T0, T0 + H, 0L, 1000, 1000)));
        // A reading the check would reject never earns more than the capacity allows.
        assertEquals(1000, RULE.workUnits(reading(T0, T0 + H, 0L, 5000, 1000)));
        assertEquals(100_000, RULE.workUnits(reading(T0, T0 + H, 0L, 5_000_000, 2_000_000)));
        assertEquals(250, RULE.workUnits(reading(T0, T0 + H / 4, 0L, 900, 1000)));
        // Without a start counter a reading only extends the history.
        assertEquals(0, RULE.workUnits(reading(T0, T0 + H, null, 1000, 1000)));
        assertEquals(0, RULE.workUnits(reading(T0, T0 + H, 1000L, 1000, 1000)));
        assertEquals(0, RULE.workUnits(reading(T0, T0, 0L, 1000, 1000)));
    }
}
