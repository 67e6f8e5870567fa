package dev.flywheel.device.mqtt;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Where devices connect: the local Mosquitto of the devnet, or the account's IoT Core ATS
 * endpoint ({@code xxxxxxxx-ats.iot.<region>.amazonaws.com}, port 8883).
 *
 * @param caPath PEM trust anchor for the broker's server certificate (the devnet CA, or
 *               AmazonRootCA1.pem for IoT Core); null means the platform's default trust store
 */
public record MqttEndpoint(String host, int port, Path caPath) {

    public static final int MQTTS_PORT = 8883;

    public MqttEndpoint {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("MQTT host is blank");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("MQTT port " + port + " is out of range");
        }
    }

    /** IoT Core: the ATS data endpoint of the account ({@code aws iot describe-endpoint --endpoint-type iot:Data-ATS}). */
    public static MqttEndpoint iotCore(String atsEndpoint, Path amazonRootCa) {
        return new MqttEndpoint(atsEndpoint, MQTTS_PORT, amazonRootCa);
    }

    /** From {@code FLYWHEEL_MQTT_HOST}, {@code FLYWHEEL_MQTT_PORT} and {@code FLYWHEEL_MQTT_CA} (as written by {@code scripts/devnet up}). */
    public static MqttEndpoint fromEnv() {
        return fromEnv(System.getenv());
    }

    public static MqttEndpoint fromEnv(Map<String, String> env) {
        String host = env.get("FLYWHEEL_MQTT_HOST");
        if (host == null || host.isBlank()) {
            throw new IllegalStateException("FLYWHEEL_MQTT_HOST is not set (source .devnet/env, or run via scripts/test)");
        }
        String portText = env.getOrDefault("FLYWHEEL_MQTT_PORT", String.valueOf(MQTTS_PORT));
        int port;
        try {
            port = Integer.parseInt(portText.trim());
        } catch (NumberFormatException e) {
            throw new IllegalStateException("FLYWHEEL_MQTT_PORT '" + portText + "' is not a number");
        }
        String ca = env.get("FLYWHEEL_MQTT_CA");
        Path caPath = ca == null || ca.isBlank() ? null : Path.of(ca);
        if (caPath != null && !Files.isReadable(caPath)) {
            throw new IllegalStateException("FLYWHEEL_MQTT_CA " + caPath + " is not readable");
        }
        return new MqttEndpoint(host.trim(), port, caPath);
    }

    @Override
    public String toString() {
        return "mqtts://" + host + ":" + port;
    }
}
