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
    OUT_OF_RANGE;

    /** Lower-case wire form, e.g. {@code out_of_range}. */
    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
