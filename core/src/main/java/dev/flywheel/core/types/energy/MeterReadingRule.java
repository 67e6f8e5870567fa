package dev.flywheel.core.types.energy;

import dev.flywheel.core.proof.ProofEnvelope;
import dev.flywheel.core.proof.DeviceRecord;
import dev.flywheel.core.proof.PlausibilityChecks.Failure;
import dev.flywheel.core.proof.PriorProof;
import dev.flywheel.core.proof.ProofRule;
import dev.flywheel.core.proof.ReasonCode;
import dev.flywheel.core.proof.RejectionReason;

import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Plausibility of {@code energy.meter} readings, in this order (the first failure decides):
 * <ol>
 *   <li>the interval: {@code end > start}, at most {@link Limits#maxIntervalMillis}, not after the
 *       proof's {@code time} ({@code interval_invalid}); {@code startEnergyWh <= energyWh}
 *       ({@code counter_decreased});</li>
 *   <li>average power over the interval (when {@code startEnergyWh} is sent) at most the
 *       effective capacity min(rated, network max) ({@code power_above_capacity}, basis {@code interval});</li>
 *   <li>against the device's previous accepted reading: no overlap ({@code overlapping_interval});
 *       for the same meter, the counter never decreases ({@code counter_decreased}) and the energy
 *       since the previous end fits the capacity ({@code power_above_capacity}, basis {@code since_prior}).</li>
 * </ol>
 * A gap after the previous reading is no fault: the reading is accepted. All limits are
 * inclusive and the power comparison is exact integer arithmetic.
 *
 * <p>Work units: the energy over the interval, {@code energyWh - startEnergyWh} in Wh, capped at
 * what the effective capacity can produce in the interval. A reading without
 * {@code startEnergyWh} earns 0: units are computed from the body alone, and it carries no
 * interval energy (it still extends the counter history the next reading is checked against).
 */
public final class MeterReadingRule implements ProofRule<MeterReading> {
    private static final long MILLIS_PER_HOUR = 3_600_000L;
    private static final BigInteger MILLIS_PER_HOUR_BIG = BigInteger.valueOf(MILLIS_PER_HOUR);

    /**
     * @param maxIntervalMillis the longest interval one reading may cover
     * @param maxPowerW         the network's cap on any installation's rated power, W
     */
    public record Limits(long maxIntervalMillis, long maxPowerW) {
        public Limits {
            if (maxIntervalMillis <= 0 || maxPowerW < 0) {
                throw new IllegalArgumentException("invalid limits");
            }
        }

        /** Home energy (Daylight style): 1 h intervals, at most 100 kW. */
        public static Limits homeEnergy() {
            return new Limits(MILLIS_PER_HOUR, 100_000);
        }
    }

    private final Limits limits;

    public MeterReadingRule(Limits limits) {
        this.limits = limits;
    }

    public static MeterReadingRule defaults() {
        return new MeterReadingRule(Limits.homeEnergy());
    }

    public Limits limits() {
        return limits;
    }

    @Override
    public Class<MeterReading> bodyType() {
        return MeterReading.class;
    }

    @Override
    public boolean needsPrior() {
        return true;
    }

    /** The effective capacity: the rated power, capped by the network's maximum. */
    public long capacityW(MeterReading r) {
        return Math.min(r.ratedPowerW(), limits.maxPowerW());
    }

    @Override
    public long workUnits(MeterReading r) {
        if (r.startEnergyWh().isEmpty() || r.endMillis() <= r.startMillis()) {
            return 0;
        }
        long delta = r.energyWh() - r.startEnergyWh().getAsLong();
        if (delta <= 0) {
            return 0;
        }
        BigInteger maxWh = BigInteger.valueOf(capacityW(r)).multiply(BigInteger.valueOf(r.endMillis() - r.startMillis()))
                .divide(MILLIS_PER_HOUR_BIG);
        return BigInteger.valueOf(delta).min(maxWh).longValueExact();
    }

    @Override
    public Optional<Failure> check(ProofEnvelope proof, MeterReading r, DeviceRecord device, Optional<PriorProof> prior) {
        long duration = r.endMillis() - r.startMillis();
        long proofTime = proof.deviceTime().toEpochMilli();
        String problem = null;
        if (duration <= 0) {
            problem = "interval end " + r.endMillis() + " is not after its start " + r.startMillis();
        } else if (duration > limits.maxIntervalMillis()) {
            problem = "interval of " + duration + " ms is longer than " + limits.maxIntervalMillis() + " ms";
        } else if (r.endMillis() > proofTime) {
            problem = "interval ends " + (r.endMillis() - proofTime) + " ms after the proof's time";
        }
        if (problem != null) {
            return fail(ReasonCode.INTERVAL_INVALID, problem, Map.of("startMillis", r.startMillis(),
                    "endMillis", r.endMillis(), "durationMillis", duration,
                    "limitMillis", limits.maxIntervalMillis(), "proofTimeMillis", proofTime));
        }
        if (r.startEnergyWh().isPresent() && r.startEnergyWh().getAsLong() > r.energyWh()) {
            return fail(EnergyReason.COUNTER_DECREASED, "counter went from " + r.startEnergyWh().getAsLong() + " to "
                            + r.energyWh() + " Wh within the interval",
                    Map.of("energyWh", r.energyWh(), "startEnergyWh", r.startEnergyWh().getAsLong()));
        }
        if (r.startEnergyWh().isPresent()) {
            Optional<Failure> f = power("interval", r.energyWh() - r.startEnergyWh().getAsLong(), duration, r);
            if (f.isPresent()) {
                return f;
            }
        }
        if (prior.isEmpty() || !(prior.get().body() instanceof MeterReading previous)) {
            return Optional.empty();
        }
        long priorSeq = prior.get().sequence();
        if (r.startMillis() < previous.endMillis()) {
            return fail(EnergyReason.OVERLAPPING_INTERVAL, "interval starts " + (previous.endMillis() - r.startMillis())
                            + " ms before the previous reading's interval ended",
                    Map.of("startMillis", r.startMillis(), "priorEndMillis", previous.endMillis(), "priorSequence", priorSeq));
        }
        if (!previous.meterId().equals(r.meterId())) {
            return Optional.empty(); // a replaced meter starts its own counter
        }
        long startCounter = r.startEnergyWh().orElse(r.energyWh());
        if (r.energyWh() < previous.energyWh() || startCounter < previous.energyWh()) {
            Map<String, Object> evidence = new LinkedHashMap<>();
            evidence.put("energyWh", r.energyWh());
            evidence.put("priorEnergyWh", previous.energyWh());
            r.startEnergyWh().ifPresent(v -> evidence.put("startEnergyWh", v));
            evidence.put("priorSequence", priorSeq);
            return fail(EnergyReason.COUNTER_DECREASED, "counter " + Math.min(startCounter, r.energyWh())
                    + " Wh is below the previous reading's " + previous.energyWh() + " Wh", evidence);
        }
        return power("since_prior", r.energyWh() - previous.energyWh(), r.endMillis() - previous.endMillis(), r);
    }

    private Optional<Failure> power(String basis, long deltaWh, long durationMillis, MeterReading r) {
        long cap = capacityW(r);
        // deltaWh / (durationMillis / 3.6e6) > cap  <=>  deltaWh * 3.6e6 > cap * durationMillis
        BigInteger lhs = BigInteger.valueOf(deltaWh).multiply(MILLIS_PER_HOUR_BIG);
        BigInteger rhs = BigInteger.valueOf(cap).multiply(BigInteger.valueOf(durationMillis));
        if (lhs.compareTo(rhs) <= 0) {
            return Optional.empty();
        }
        double averageW = Math.round(deltaWh * (double) MILLIS_PER_HOUR / durationMillis * 1000) / 1000.0;
        return fail(EnergyReason.POWER_ABOVE_CAPACITY, deltaWh + " Wh in " + durationMillis + " ms is " + averageW
                        + " W on average, above the capacity of " + cap + " W (" + basis + ")",
                Map.of("basis", basis, "deltaWh", deltaWh, "durationMillis", durationMillis, "averagePowerW", averageW,
                        "ratedPowerW", r.ratedPowerW(), "limitW", cap));
    }

    private static Optional<Failure> fail(RejectionReason reason, String detail, Map<String, Object> evidence) {
        return Optional.of(new Failure(reason, detail, evidence));
    }
}
