package dev.flywheel.core.types.coverage;

import java.time.Instant;
import java.util.Optional;

/**
 * Port: each device's last coverage activity, as {@link CoverageResult#reciprocityUpdates()} records it
 * (keep the latest instant per device and role). Read before a window is evaluated; the window's own reports
 * are not in it yet.
 */
public interface ReciprocityHistory {
    ReciprocityHistory NONE = new ReciprocityHistory() {
        @Override
        public Optional<Instant> lastWitnessed(String deviceId) {
            return Optional.empty();
        }

        @Override
        public Optional<Instant> lastBeaconed(String deviceId) {
            return Optional.empty();
        }
    };

    /** Server receive time of the device's latest witness report that passed the regular witness checks. */
    Optional<Instant> lastWitnessed(String deviceId);

    /** Server receive time of the device's latest beacon that passed the beacon checks and was witnessed at least once. */
    Optional<Instant> lastBeaconed(String deviceId);
}
