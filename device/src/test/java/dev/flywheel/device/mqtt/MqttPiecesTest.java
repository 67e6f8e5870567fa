package dev.flywheel.device.mqtt;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Receipts, topics and endpoint settings: the parts of the client that need no broker. */
class MqttPiecesTest {

    @Test
    void parsesReceipts() {
        Receipt ok = Receipt.parse("dev-1", bytes("{\"proofId\":\"ab\",\"seq\":3,\"outcome\":\"accepted\",\"reason\":null,\"extra\":1}"));
        assertEquals(new Receipt("dev-1", "ab", 3, "accepted", null), ok);
        assertTrue(ok.accepted());
        Receipt no = Receipt.parse("dev-1", bytes("{\"outcome\":\"rejected\",\"reason\":\"bad_signature\"}"));
        assertEquals(new Receipt("dev-1", null, -1, "rejected", "bad_signature"), no);
        assertFalse(no.accepted());
        for (String bad : new String[]{"", "[]", "{\"outcome\":1}", "{", "null"}) {
            assertThrows(IllegalArgumentException.class, () -> Receipt.parse("d", bytes(bad)), bad);
        }
    }

    @Test
    void topics() {
        assertEquals("flywheel/v1/dev-1/proofs", Topics.proofs("dev-1"));
        assertEquals("flywheel/v1/dev-1/receipts", Topics.receipts("dev-1"));
        assertEquals("dev-1", Topics.deviceIdOf("flywheel/v1/dev-1/receipts"));
        assertNull(Topics.deviceIdOf("flywheel/v1/network"));
        assertNull(Topics.deviceIdOf("flywheel/v2/dev-1/proofs"));
        assertNull(Topics.deviceIdOf("flywheel/v1/a/b/c"));
    }

    @Test
    void topicFilterMatching() {
        assertTrue(DeviceClient.matches("flywheel/v1/+/proofs", "flywheel/v1/d/proofs"));
        assertFalse(DeviceClient.matches("flywheel/v1/+/proofs", "flywheel/v1/d/receipts"));
        assertTrue(DeviceClient.matches("#", "a/b"));
        assertTrue(DeviceClient.matches("flywheel/#", "flywheel/v1/x"));
        assertFalse(DeviceClient.matches("flywheel/v1/+", "flywheel/v1/d/proofs"));
        assertTrue(DeviceClient.matches("a/b", "a/b"));
    }

    @Test
    void endpointFromEnvironment() {
        MqttEndpoint e = MqttEndpoint.fromEnv(Map.of("FLYWHEEL_MQTT_HOST", "127.0.0.1", "FLYWHEEL_MQTT_PORT", "8883"));
        assertEquals(new MqttEndpoint("127.0.0.1", 8883, null), e);
        IllegalStateException missing = assertThrows(IllegalStateException.class, () -> MqttEndpoint.fromEnv(Map.of()));
        assertTrue(missing.getMessage().contains("scripts/test"));
        assertThrows(IllegalStateException.class, () -> MqttEndpoint.fromEnv(Map.of("FLYWHEEL_MQTT_HOST", "h",
                "FLYWHEEL_MQTT_PORT", "x")));
        assertThrows(IllegalStateException.class, () -> MqttEndpoint.fromEnv(Map.of("FLYWHEEL_MQTT_HOST", "h",
                "FLYWHEEL_MQTT_CA", "/nonexistent/ca.pem")));
        assertEquals(8883, MqttEndpoint.iotCore("abc-ats.iot.eu-west-1.amazonaws.com", Path.of("AmazonRootCA1.pem")).port());
        assertThrows(IllegalArgumentException.class, () -> new MqttEndpoint("h", 0, null));
    }

    @Test
    void builderValidatesFilesAndDurations() {
        MqttEndpoint e = new MqttEndpoint("127.0.0.1", 8883, null);
        assertThrows(IllegalArgumentException.class,
                () -> DeviceClient.builder("d", Path.of("/nonexistent.crt"), Path.of("/nonexistent.key"), e).build());
        assertThrows(IllegalArgumentException.class,
                () -> DeviceClient.builder("d", Path.of("a"), Path.of("b"), e).connectTimeout(java.time.Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> DeviceClient.builder("d", Path.of("a"), Path.of("b"), e)
                .reconnectBackoff(java.time.Duration.ofSeconds(10), java.time.Duration.ofSeconds(1)));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
