package dev.flywheel.core.types.coverage;

import java.time.Duration;
import java.util.Objects;

/**
 * The coverage limits. {@link #defaults()} are Helium's IoT verifier values. Every bound is inclusive on the
 * "allowed" side: a lag of exactly 4000 ms, 100 kHz, 8 cells, 100 km, an RSSI exactly at the bound, an entropy
 * age of exactly 180 s and a beacon interval of exactly 6 h pass; one unit more fails.
 *
 * @param entropyMaxAge            beacon entropy age on arrival (server clock), default 180 s
 * @param beaconInterval           minimum time between a device's accepted beacons, default 6 h
 * @param maxBeaconToWitnessLag    witness receive time - beacon receive time, default 4000 ms
 * @param maxWitnessLag            witness receive time - first witness receive time, default 1500 ms
 * @param maxFrequencyDeltaHz      |witness - beacon frequency|, default 100 000 Hz
 * @param cellDistanceResolution   H3 resolution of the minimum-distance check, default 11
 * @param minCellDistance          minimum grid distance at that resolution, default 8 cells
 * @param maxDistanceMeters        maximum great-circle distance between asserted cell centres, default 100 000 m
 * @param rssiMarginDeciDb         slack added to the free-space RSSI bound, tenths of a dB, default 0 (Helium: none)
 * @param reciprocityWindow        how recent the opposite report must be, default 48 h
 * @param maxRewardedWitnesses     witnesses rewarded per beacon, first by arrival, default 14
 * @param settleDelay              how long after the beacon's latest possible witness the window is evaluated
 *                                 (late storage, queue retries), default 60 s
 */
public record CoverageConfig(Duration entropyMaxAge, Duration beaconInterval, Duration maxBeaconToWitnessLag,
                             Duration maxWitnessLag, long maxFrequencyDeltaHz, int cellDistanceResolution,
                             long minCellDistance, double maxDistanceMeters, int rssiMarginDeciDb,
                             Duration reciprocityWindow, int maxRewardedWitnesses, Duration settleDelay) {

    public CoverageConfig {
        Objects.requireNonNull(entropyMaxAge);
        Objects.requireNonNull(beaconInterval);
        Objects.requireNonNull(maxBeaconToWitnessLag);
        Objects.requireNonNull(maxWitnessLag);
        Objects.requireNonNull(reciprocityWindow);
        Objects.requireNonNull(settleDelay);
        if (cellDistanceResolution < 0 || cellDistanceResolution > 15 || maxRewardedWitnesses < 0
                || maxFrequencyDeltaHz < 0 || minCellDistance < 0 || !(maxDistanceMeters >= 0)) {
            throw new IllegalArgumentException("invalid coverage config");
        }
    }

    public static CoverageConfig defaults() {
        return new CoverageConfig(Duration.ofSeconds(180), Duration.ofHours(6), Duration.ofMillis(4000),
                Duration.ofMillis(1500), 100_000, 11, 8, 100_000.0, 0, Duration.ofHours(48), 14, Duration.ofSeconds(60));
    }

    public CoverageConfig withMaxDistanceMeters(double meters) {
        return new CoverageConfig(entropyMaxAge, beaconInterval, maxBeaconToWitnessLag, maxWitnessLag, maxFrequencyDeltaHz,
                cellDistanceResolution, minCellDistance, meters, rssiMarginDeciDb, reciprocityWindow, maxRewardedWitnesses,
                settleDelay);
    }

    public CoverageConfig withRssiMarginDeciDb(int margin) {
        return new CoverageConfig(entropyMaxAge, beaconInterval, maxBeaconToWitnessLag, maxWitnessLag, maxFrequencyDeltaHz,
                cellDistanceResolution, minCellDistance, maxDistanceMeters, margin, reciprocityWindow, maxRewardedWitnesses,
                settleDelay);
    }

    /** The same limits rewarding another number of witnesses per beacon (config/network.json {@code coverageUnits}). */
    public CoverageConfig withMaxRewardedWitnesses(int max) {
        return new CoverageConfig(entropyMaxAge, beaconInterval, maxBeaconToWitnessLag, maxWitnessLag, maxFrequencyDeltaHz,
                cellDistanceResolution, minCellDistance, maxDistanceMeters, rssiMarginDeciDb, reciprocityWindow, max,
                settleDelay);
    }

    /** The same limits with another settle delay (a devnet evaluates windows sooner than 60 s). */
    public CoverageConfig withSettleDelay(Duration delay) {
        return new CoverageConfig(entropyMaxAge, beaconInterval, maxBeaconToWitnessLag, maxWitnessLag, maxFrequencyDeltaHz,
                cellDistanceResolution, minCellDistance, maxDistanceMeters, rssiMarginDeciDb, reciprocityWindow,
                maxRewardedWitnesses, delay);
    }
}
