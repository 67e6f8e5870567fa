package dev.flywheel.function;

/** Publishes one message to an MQTT topic of the device broker (AWS IoT Core's data plane, or its devnet stand-in). */
@FunctionalInterface
public interface TopicPublisher {

    /**
     * Publishes {@code payload} on {@code topic} at QoS 1.
     *
     * @throws RuntimeException when the broker did not accept the message
     */
    void publish(String topic, byte[] payload);
}
