package dev.flywheel.core.verify;

import dev.flywheel.core.proof.ProofEnvelope;
import dev.flywheel.core.proof.SensorReading;

import java.util.Map;
import java.util.Optional;

/** Physical plausibility per proof type: a reading the world cannot produce earns nothing. */
public final class PlausibilityChecks {

    /** Inclusive physical range of a sensor metric in its unit. */
    public record Range(String unit, double min, double max) {
    }

    public record Failure(ReasonCode reason, String detail, Map<String, Object> evidence) {
    }

    private final Map<String, Range> sensorRanges;

    public PlausibilityChecks(Map<String, Range> sensorRanges) {
        this.sensorRanges = Map.copyOf(sensorRanges);
    }

    /** Ranges from recorded extremes on Earth, with a little margin. */
    public static PlausibilityChecks defaults() {
        return new PlausibilityChecks(Map.of(
                "temperature", new Range("celsius", -95, 65),
                "humidity", new Range("percent", 0, 100),
                "pressure", new Range("hpa", 850, 1090),
                "pm25", new Range("ugm3", 0, 2000)));
    }

    public Optional<Failure> check(ProofEnvelope proof, DeviceRecord device) {
        return switch (proof.body()) {
            case SensorReading r -> checkSensor(r);
        };
    }

    private Optional<Failure> checkSensor(SensorReading r) {
        Range range = sensorRanges.get(r.metric());
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
