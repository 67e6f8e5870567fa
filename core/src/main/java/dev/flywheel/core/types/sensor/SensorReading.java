package dev.flywheel.core.types.sensor;

import dev.flywheel.core.proof.ProofBody;

/** An environmental sensor reading (weather stations, air quality): one metric, one value. */
public record SensorReading(String metric, double value, String unit) implements ProofBody {
    public static final String TYPE = "sensor.reading";

    @Override
    public String type() {
        return TYPE;
    }
}
