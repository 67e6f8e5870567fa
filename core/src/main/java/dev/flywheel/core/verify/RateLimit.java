package dev.flywheel.core.verify;

import java.time.Duration;

/**
 * At most {@code maxAccepted} credited proofs per device per {@code window} of server receive
 * time: a flood from one device (a bug or a farm) cannot crowd out the rest of the network.
 */
public record RateLimit(int maxAccepted, Duration window) {
    public RateLimit {
        if (maxAccepted < 1 || window.isZero() || window.isNegative()) {
            throw new IllegalArgumentException("rate limit needs maxAccepted >= 1 and a positive window");
        }
    }

    public static RateLimit defaults() {
        return new RateLimit(60, Duration.ofMinutes(1));
    }

    /** Start (epoch seconds) of the window {@code receivedAtMillis} falls in. */
    public long windowStart(long receivedAtMillis) {
        long w = window.toMillis();
        return Math.floorDiv(receivedAtMillis, w) * w / 1000;
    }
}
