package dev.flywheel.core.verify;

import java.time.Duration;

/**
 * Network-wide verification limits.
 *
 * @param maxFutureSkew how far ahead of the server clock a device clock may run
 * @param maxAge        how old a proof may be when it arrives; also bounds how long replay guards must live
 */
public record VerificationPolicy(Duration maxFutureSkew, Duration maxAge) {
    public static VerificationPolicy defaults() {
        return new VerificationPolicy(Duration.ofSeconds(30), Duration.ofMinutes(10));
    }
}
