package dev.flywheel.device;

import dev.flywheel.device.mqtt.MqttEndpoint;
import dev.flywheel.device.pki.LocalCertificateAuthority;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The devnet that the integration tests talk to, from the variables {@code scripts/devnet up}
 * writes to {@code .devnet/env}. A missing variable fails the test: integration tests never skip.
 */
public record DevnetEnv(MqttEndpoint endpoint, Path caCert, Path caKey, Path certsDir,
                        Path rulesEngineCert, Path rulesEngineKey) {

    public static final String RULES_ENGINE = "flywheel-rules-engine";

    public static DevnetEnv require() {
        List<String> missing = new ArrayList<>();
        String host = get("FLYWHEEL_MQTT_HOST", missing);
        String port = get("FLYWHEEL_MQTT_PORT", missing);
        String ca = get("FLYWHEEL_MQTT_CA", missing);
        String caCert = get("FLYWHEEL_DEVNET_CA_CERT", missing);
        String caKey = get("FLYWHEEL_DEVNET_CA_KEY", missing);
        String certs = get("FLYWHEEL_DEVNET_CERTS_DIR", missing);
        String reCert = get("FLYWHEEL_RULES_ENGINE_CERT", missing);
        String reKey = get("FLYWHEEL_RULES_ENGINE_KEY", missing);
        if (!missing.isEmpty()) {
            fail("devnet environment missing " + missing + ": run via scripts/test "
                    + "(or `scripts/devnet up && source .devnet/env` before mvn verify)");
        }
        for (String f : List.of(ca, caCert, caKey, reCert, reKey)) {
            if (!Files.isReadable(Path.of(f))) {
                fail("devnet file " + f + " is not readable: run via scripts/test (is the devnet up?)");
            }
        }
        return new DevnetEnv(new MqttEndpoint(host, Integer.parseInt(port), Path.of(ca)), Path.of(caCert),
                Path.of(caKey), Path.of(certs), Path.of(reCert), Path.of(reKey));
    }

    public LocalCertificateAuthority certificateAuthority() {
        return LocalCertificateAuthority.load(caCert, caKey);
    }

    private static String get(String name, List<String> missing) {
        String v = System.getenv(name);
        if (v == null || v.isBlank()) {
            missing.add(name);
        }
        return v;
    }
}
