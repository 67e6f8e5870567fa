package dev.flywheel.core.types.sensor;

import com.uber.h3core.H3Core;
import dev.flywheel.core.geo.H3Native;
import dev.flywheel.core.proof.ProofEnvelope;
import dev.flywheel.core.proof.DeviceRecord;
import dev.flywheel.core.proof.PlausibilityChecks.Failure;
import dev.flywheel.core.proof.PriorProof;
import dev.flywheel.core.proof.ProofRule;
import dev.flywheel.core.proof.ReasonCode;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Environmental readings: a value the world cannot produce earns nothing. In order: the physical range of
 * the metric ({@code value_out_of_range}), a value stuck on exactly the same reading ({@code stuck_value}),
 * a change faster than the weather can change ({@code rate_of_change}, against the device's previous accepted
 * reading of the same metric), and disagreement with the devices nearby ({@code neighbour_disagreement}, only
 * with a {@link NeighbourReadings} port and for devices with an asserted location).
 *
 * <p>The prior proof is the device's previous accepted {@code sensor.reading} of any metric: the stuck and
 * rate checks apply when it is of the same metric and unit and has a lower sequence number (a late, older
 * reading is not compared against a newer one).
 */
public final class SensorReadingRule implements ProofRule<SensorReading> {

    /** Default N: the 12th identical reading in a row is rejected (11 pass). */
    public static final int DEFAULT_STUCK_LIMIT = 12;
    /** Readings closer together than this (device time) are judged as if this far apart. */
    public static final Duration MIN_RATE_INTERVAL = Duration.ofSeconds(1);
    /** H3 resolution of the cell whose devices count as neighbours (res 5: about 250 km²). */
    public static final int NEIGHBOUR_RESOLUTION = 5;
    /** How far back a neighbour's latest reading counts. */
    public static final Duration NEIGHBOUR_WINDOW = Duration.ofHours(1);
    /** Fewer neighbours than this: no agreement check. */
    public static final int MIN_NEIGHBOURS = 3;

    /** Inclusive physical range of a metric in its unit. */
    public record Range(String unit, double min, double max) {
    }

    /**
     * How a metric may behave over time and space, in its unit.
     *
     * @param maxChangePerMinute largest plausible change per minute between two readings of one device (inclusive)
     * @param neighbourTolerance largest plausible distance from the median of the neighbours' readings (inclusive)
     */
    public record Dynamics(double maxChangePerMinute, double neighbourTolerance) {
        public Dynamics {
            if (!(maxChangePerMinute > 0) || !(neighbourTolerance > 0)) {
                throw new IllegalArgumentException("limits must be positive");
            }
        }
    }

    private final Map<String, Range> ranges;
    private final Map<String, Dynamics> dynamics;
    private final int stuckLimit;
    private final NeighbourReadings neighbours;

    /** Ranges only (plus the default stuck-value limit); no rate or neighbour checks. */
    public SensorReadingRule(Map<String, Range> ranges) {
        this(ranges, Map.of(), DEFAULT_STUCK_LIMIT, null);
    }

    /**
     * @param dynamics   per metric; a metric without an entry skips the rate and neighbour checks
     * @param stuckLimit N: the Nth identical reading in a row is rejected (at least 2)
     * @param neighbours null: no neighbour check
     */
    public SensorReadingRule(Map<String, Range> ranges, Map<String, Dynamics> dynamics, int stuckLimit,
                             NeighbourReadings neighbours) {
        if (stuckLimit < 2) {
            throw new IllegalArgumentException("stuckLimit must be >= 2");
        }
        this.ranges = Map.copyOf(ranges);
        this.dynamics = Map.copyOf(dynamics);
        this.stuckLimit = stuckLimit;
        this.neighbours = neighbours;
    }

    /**
     * Ranges from recorded extremes on Earth, with a little margin; rates and neighbour tolerances from what
     * weather does (docs/protocol.md §7): no neighbour port (see {@link #withNeighbours}).
     */
    public static SensorReadingRule defaults() {
        return new SensorReadingRule(Map.of(
                "temperature", new Range("celsius", -95, 65),
                "humidity", new Range("percent", 0, 100),
                "pressure", new Range("hpa", 850, 1090),
                "pm25", new Range("ugm3", 0, 2000)),
                Map.of(
                        "temperature", new Dynamics(3, 8),
                        "humidity", new Dynamics(10, 25),
                        "pressure", new Dynamics(2, 15),
                        "pm25", new Dynamics(200, 150)),
                DEFAULT_STUCK_LIMIT, null);
    }

    /** The same limits, judging readings against the neighbours' too. */
    public SensorReadingRule withNeighbours(NeighbourReadings neighbours) {
        return new SensorReadingRule(ranges, dynamics, stuckLimit, Objects.requireNonNull(neighbours, "neighbours"));
    }

    /** The same rule with another stuck-value limit N. */
    public SensorReadingRule withStuckLimit(int stuckLimit) {
        return new SensorReadingRule(ranges, dynamics, stuckLimit, neighbours);
    }

    @Override
    public Class<SensorReading> bodyType() {
        return SensorReading.class;
    }

    @Override
    public boolean needsPrior() {
        return true;
    }

    /** Without a server receive time, the neighbour window is counted back from the proof's device time. */
    @Override
    public Optional<Failure> check(ProofEnvelope proof, SensorReading r, DeviceRecord device, Optional<PriorProof> prior) {
        return check(proof, r, device, prior, proof.deviceTime());
    }

    @Override
    public Optional<Failure> check(ProofEnvelope proof, SensorReading r, DeviceRecord device, Optional<PriorProof> prior,
                                   Instant receivedAt) {
        Range range = ranges.get(r.metric());
        if (range == null || !range.unit().equals(r.unit())) {
            return Optional.of(new Failure(ReasonCode.SCHEMA_INVALID,
                    "unknown metric/unit " + r.metric() + "/" + r.unit(), Map.of()));
        }
        if (r.value() < range.min() || r.value() > range.max()) {
            return Optional.of(new Failure(SensorReason.VALUE_OUT_OF_RANGE,
                    r.metric() + " " + r.value() + " outside [" + range.min() + ", " + range.max() + "]",
                    Map.of("value", r.value(), "min", range.min(), "max", range.max())));
        }
        Optional<PriorProof> same = prior.filter(p -> p.sequence() < proof.sequence()
                && p.body() instanceof SensorReading pr && pr.metric().equals(r.metric()) && pr.unit().equals(r.unit()));
        if (same.isPresent()) {
            PriorProof p = same.get();
            SensorReading pr = (SensorReading) p.body();
            // Identical bodies: metric and unit are equal here, the value compares as its canonical number does.
            if (pr.equals(r)) {
                long run = (long) p.repeats() + 2;
                if (run >= stuckLimit) {
                    return Optional.of(new Failure(SensorReason.STUCK_VALUE,
                            r.metric() + " " + r.value() + " would be reading " + run + " in a row with the same value (limit "
                                    + stuckLimit + ")",
                            Map.of("repeats", run, "limit", stuckLimit, "priorSequence", p.sequence())));
                }
            }
            Dynamics d = dynamics.get(r.metric());
            if (d != null) {
                long millis = Math.max(MIN_RATE_INTERVAL.toMillis(),
                        Math.abs(proof.deviceTime().toEpochMilli() - p.deviceTime().toEpochMilli()));
                double minutes = millis / 60_000.0;
                double delta = Math.abs(r.value() - pr.value());
                if (delta > d.maxChangePerMinute() * minutes) {
                    return Optional.of(new Failure(SensorReason.RATE_OF_CHANGE,
                            r.metric() + " changed by " + delta + " in " + minutes + " min (limit " + d.maxChangePerMinute()
                                    + " per min)",
                            Map.of("delta", delta, "minutes", minutes, "ratePerMinute", delta / minutes,
                                    "limit", d.maxChangePerMinute(), "priorSequence", p.sequence())));
                }
            }
        }
        Dynamics d = dynamics.get(r.metric());
        if (neighbours != null && d != null && device.h3Cell() != null) {
            Optional<String> parent = neighbourCell(device.h3Cell());
            if (parent.isPresent()) {
                List<Double> values = neighbours.recent(r.metric(), parent.get(), receivedAt.minus(NEIGHBOUR_WINDOW),
                        device.deviceId());
                if (values.size() >= MIN_NEIGHBOURS) {
                    double median = median(values);
                    double deviation = Math.abs(r.value() - median);
                    if (deviation > d.neighbourTolerance()) {
                        return Optional.of(new Failure(SensorReason.NEIGHBOUR_DISAGREEMENT,
                                r.metric() + " " + r.value() + " is " + deviation + " from the median " + median + " of "
                                        + values.size() + " neighbours (tolerance " + d.neighbourTolerance() + ")",
                                Map.of("value", r.value(), "median", median, "deviation", deviation,
                                        "neighbours", values.size(), "tolerance", d.neighbourTolerance(),
                                        "h3Parent", parent.get())));
                    }
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The H3 cell (resolution {@value #NEIGHBOUR_RESOLUTION}) whose devices are {@code h3Cell}'s neighbours:
     * its parent; empty when {@code h3Cell} is not a valid cell or is coarser than that resolution.
     */
    public static Optional<String> neighbourCell(String h3Cell) {
        if (h3Cell == null || !h3Cell.matches("[0-9a-f]{15,16}")) {
            return Optional.empty();
        }
        H3Core h3 = H3Native.get();
        if (!h3.isValidCell(h3Cell)) {
            return Optional.empty();
        }
        long cell = h3.stringToH3(h3Cell);
        if (h3.getResolution(cell) < NEIGHBOUR_RESOLUTION) {
            return Optional.empty();
        }
        return Optional.of(h3.h3ToString(h3.cellToParent(cell, NEIGHBOUR_RESOLUTION)));
    }

    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
