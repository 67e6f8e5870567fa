package dev.flywheel.core.types.sensor;

import dev.flywheel.core.proof.ProofEnvelope;
import dev.flywheel.core.proof.SensorReading;
import dev.flywheel.core.verify.DeviceRecord;
import dev.flywheel.core.verify.PlausibilityChecks.Failure;
import dev.flywheel.core.verify.PriorProof;
import dev.flywheel.core.verify.ProofRule;
import dev.flywheel.core.verify.ReasonCode;

import java.util.Map;
import java.util.Optional;

/** Environmental readings: a value the world cannot produce earns nothing. */
public final class SensorReadingRule implements ProofRule<SensorReading> {

    /** Inclusive physical range of a metric in its unit. */
    public record Range(String unit, double min, double max) {
    }

    private final Map<String, Range> ranges;

    public SensorReadingRule(Map<String, Range> ranges) {
        this.ranges = Map.copyOf(ranges);
    }

    /** Ranges from recorded extremes on Earth, with a little margin. */
    public static SensorReadingRule defaults() {
        return new SensorReadingRule(Map.of(
                "temperature", new Range("celsius", -95, 65),
                "humidity", new Range("percent", 0, 100),
                "pressure", new Range("hpa", 850, 1090),
                "pm25", new Range("ugm3", 0, 2000)));
    }

    @Override
    public Class<SensorReading> bodyType() {
        return SensorReading.class;
    }

    @Override
    public Optional<Failure> check(ProofEnvelope proof, SensorReading r, DeviceRecord device, Optional<PriorProof> prior) {
        Range range = ranges.get(r.metric());
        if (range == null || !range.unit().equals(r.unit())) {
            return Optional.of(new Failure(ReasonCode.SCHEMA_INVALID,
                    "unknown metric/unit " + r.metric() + "/" + r.unit(), Map.of()));
        }
        if (r.value() < range.min() || r.value() > range.max()) {
            return Optional.of(new Failure(ReasonCode.VALUE_OUT_OF_RANGE,
                    r.metric() + " " + r.value() + " outside [" + range.min() + ", " + range.max() + "]",
                    Map.of("value", r.value(), "min", range.min(), "max", range.max())));
        }
        return Optional.empty();
    }
}
