package dev.flywheel.core.proof;

/**
 * The type-specific part of a proof. Each network configuration enables the types it rewards;
 * each type brings its own plausibility checks.
 */
public sealed interface ProofBody permits SensorReading, LocationTrace, MeterReading, CoverageBeacon, CoverageWitness, ChallengeResponse {

    /** The wire value of the envelope's {@code type} member. */
    String type();
}
