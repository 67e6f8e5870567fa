package dev.flywheel.device.sim;

import dev.flywheel.device.mqtt.Receipt;

import java.io.PrintStream;

/**
 * Progress of a fleet run. {@link #onProgress} is called at every 10 % step of each phase (and at
 * 100 %), from whichever thread made the step: implementations must be thread-safe and quick.
 */
@FunctionalInterface
public interface ProgressListener {

    enum Phase {
        /** Devices connected (or failed to). */
        CONNECT,
        /** Messages acknowledged by the broker (PUBACK) or failed. */
        PUBLISH,
        /** Receipts received from the backend, against the messages acknowledged. */
        RECEIPTS
    }

    ProgressListener NONE = (phase, done, total) -> {
    };

    void onProgress(Phase phase, int done, int total);

    /** A notable event worth a line (a device that could not connect, a publish that failed). */
    default void onNote(String message) {
    }

    /** A proof handed to the client for publishing, at {@code nanoTime} ({@link System#nanoTime()}); for latency figures. */
    default void onPublished(String deviceId, String proofId, long nanoTime) {
    }

    /** A receipt heard, at {@code nanoTime} (on the MQTT client's event loop: return quickly). */
    default void onReceipt(Receipt receipt, long nanoTime) {
    }

    /** Prints {@code [fleet] publish 40% (400/1000)} lines and notes. */
    static ProgressListener printingTo(PrintStream out) {
        return new ProgressListener() {
            @Override
            public void onProgress(Phase phase, int done, int total) {
                int pct = total == 0 ? 100 : (int) (100L * done / total);
                synchronized (out) {
                    out.printf("[fleet] %-8s %3d%% (%d/%d)%n", phase.name().toLowerCase(java.util.Locale.ROOT), pct, done, total);
                }
            }

            @Override
            public void onNote(String message) {
                synchronized (out) {
                    out.println("[fleet] " + message);
                }
            }
        };
    }
}
