package dev.flywheel.core.types.coverage;

import dev.flywheel.core.proof.RejectionReason;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The outcome of one beacon's window: a verdict and reward units for the beacon and for every witness report,
 * and the reciprocity facts to persist. Units are HIP-15 micro-units ({@link Hip15#SCALE} per unit).
 *
 * @param beacon             the beacon's outcome
 * @param witnesses          one outcome per witness report, in arrival order
 * @param rewardedWitnesses  n: how many witnesses are rewarded (valid, within the first 14)
 * @param reciprocityUpdates what to record in {@link ReciprocityHistory} (keep the latest per device and role)
 */
public record CoverageResult(Outcome beacon, List<Outcome> witnesses, int rewardedWitnesses,
                             List<ReciprocityUpdate> reciprocityUpdates) {

    public CoverageResult {
        witnesses = List.copyOf(witnesses);
        reciprocityUpdates = List.copyOf(reciprocityUpdates);
    }

    /**
     * One report's verdict.
     *
     * @param valid    passed every check (a capped witness is valid but not rewarded)
     * @param reason   null when valid and rewarded; the failing check; or {@code witness_cap_exceeded} (valid, unrewarded)
     * @param detail   human-readable, not stable
     * @param evidence the numbers behind the decision (distances, bounds, lags, limits)
     * @param units    reward micro-units (0 unless valid and rewarded)
     */
    public record Outcome(String proofId, String deviceId, boolean valid, RejectionReason reason, String detail,
                          Map<String, Object> evidence, long units) {
        public Outcome {
            evidence = Map.copyOf(evidence);
        }

        public boolean rewarded() {
            return units > 0;
        }
    }

    public enum Role { BEACONED, WITNESSED }

    /** Record that {@code deviceId} had a regular-valid report in {@code role} received at {@code at}. */
    public record ReciprocityUpdate(String deviceId, Role role, Instant at) {
    }

    /** Total micro-units handed out by this window. */
    public long totalUnits() {
        return beacon.units() + witnesses.stream().mapToLong(Outcome::units).sum();
    }
}
