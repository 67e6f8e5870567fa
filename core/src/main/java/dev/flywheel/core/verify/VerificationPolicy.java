package dev.flywheel.core.verify;

import java.time.Duration;

/**
 * Network-wide verification limits.
 *
 * @param maxFutureSkew             how far ahead of the server clock a device clock may run
 * @param maxAge                    how old a proof may be when it arrives; also bounds how long replay guards must live
 * @param maxLocationOffsetMeters   how far (great circle, between cell centres) a stationary proof's {@code loc.h3} may
 *                                  lie from the device's asserted cell before it is {@code location_mismatch}
 */
public record VerificationPolicy(Duration maxFutureSkew, Duration maxAge, double maxLocationOffsetMeters) {
    /** Default {@link #maxLocationOffsetMeters()}: 1 000 m. */
    public static final double DEFAULT_MAX_LOCATION_OFFSET_METERS = 1_000.0;

    public VerificationPolicy {
        if (!(maxLocationOffsetMeters >= 0) || Double.isInfinite(maxLocationOffsetMeters)) {
            throw new IllegalArgumentException("maxLocationOffsetMeters must be finite and >= 0: " + maxLocationOffsetMeters);
        }
    }

    /** The time limits, with the default location limit ({@value #DEFAULT_MAX_LOCATION_OFFSET_METERS} m). */
    public VerificationPolicy(Duration maxFutureSkew, Duration maxAge) {
        this(maxFutureSkew, maxAge, DEFAULT_MAX_LOCATION_OFFSET_METERS);
    }

    public static VerificationPolicy defaults() {
        return new VerificationPolicy(Duration.ofSeconds(30), Duration.ofMinutes(10));
    }

    /** This policy with another location limit. */
    public VerificationPolicy withMaxLocationOffsetMeters(double meters) {
        return new VerificationPolicy(maxFutureSkew, maxAge, meters);
    }
}
