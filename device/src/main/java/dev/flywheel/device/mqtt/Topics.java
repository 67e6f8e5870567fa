package dev.flywheel.device.mqtt;

/** The MQTT topic tree of protocol v1. */
public final class Topics {
    public static final String PREFIX = "flywheel/v1/";
    /** Where the network publishes fresh entropy (devices may only read it). */
    public static final String ENTROPY = PREFIX + "network/entropy";
    /** What the backend's rule subscribes to: every device's proofs. */
    public static final String ALL_PROOFS = PREFIX + "+/proofs";

    private Topics() {
    }

    /** {@code flywheel/v1/<deviceId>/proofs}: the only topic a device may publish to (QoS 1). */
    public static String proofs(String deviceId) {
        return PREFIX + deviceId + "/proofs";
    }

    /** {@code flywheel/v1/<deviceId>/receipts}: the backend's verdicts for that device. */
    public static String receipts(String deviceId) {
        return PREFIX + deviceId + "/receipts";
    }

    /** The device id in a {@code flywheel/v1/<deviceId>/<leaf>} topic, or null if the topic is not one. */
    public static String deviceIdOf(String topic) {
        if (topic == null || !topic.startsWith(PREFIX)) {
            return null;
        }
        String rest = topic.substring(PREFIX.length());
        int slash = rest.indexOf('/');
        if (slash <= 0 || rest.indexOf('/', slash + 1) >= 0) {
            return null;
        }
        return rest.substring(0, slash);
    }
}
