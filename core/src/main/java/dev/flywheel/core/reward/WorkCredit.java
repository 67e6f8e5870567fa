package dev.flywheel.core.reward;

/** Verified work of one device in one epoch, in reward units; owner is the device's payee address. */
public record WorkCredit(String deviceId, String owner, long units) {
    public WorkCredit {
        if (units < 0) {
            throw new IllegalArgumentException("units must be >= 0");
        }
    }
}
