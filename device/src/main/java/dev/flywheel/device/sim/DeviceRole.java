package dev.flywheel.device.sim;

/** How a simulated device behaves: one honest kind and the attacks the verifier must catch. */
public enum DeviceRole {
    /** Signs plausible sensor readings with its registered key, increasing seq, device time = now. */
    HONEST,
    /** Signs with a key that is not the registered one: every proof must fail the signature check. */
    FORGER,
    /** Sends one honest proof, then publishes the exact same bytes again: the copies must be rejected as replays. */
    REPLAYER,
    /** Correctly signed, but reports a temperature of 150 degrees Celsius: must fail plausibility. */
    OUT_OF_RANGE,
    /**
     * Signs honest proofs (its own id, its own key) but publishes them on another device's proofs topic.
     * The broker's per-device policy forbids that: under MQTT 3.1.1 Mosquitto acknowledges and silently
     * drops the message (IoT Core disconnects the client instead), so nothing reaches the backend. Its
     * messages are reported as not delivered and expect no verdict.
     */
    WRONG_TOPIC,
    /**
     * Correctly signed proofs whose {@code loc.h3} is a cell thousands of kilometres from the cell it was
     * registered with. The verifier rejects them as {@code location_mismatch} (more than 1,000 m from the
     * asserted cell; sensor readings are a stationary type).
     */
    TELEPORTER,
    /** Correctly signed, but its clock runs 5 minutes ahead (device time = now + 5 min): {@code from_future}. */
    CLOCK_SKEW;

    /** Lower-case wire form, e.g. {@code out_of_range}. */
    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
