package dev.flywheel.core.proof;

/** An environmental sensor reading (weather stations, air quality): one metric, one value. */
public record SensorReading(String metric, double value, String unit) implements ProofBody {
    public static final String TYPE = "sensor.reading";

    @Override
    public String type() {
        return TYPE;
    }
}
