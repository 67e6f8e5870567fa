package dev.flywheel.core.types.coverage;

import dev.flywheel.core.types.coverage.CoverageResult.Outcome;

import java.time.Instant;
import java.util.List;

/**
 * Port: where accepted coverage reports wait for their window, and where a window's outcome goes.
 * {@link CoverageWindowEvaluator} drives it; an adapter makes each commit happen exactly once.
 */
public interface CoverageWindowStore {

    /** What a witness's beacon looks like when the witness is past its orphan deadline. */
    enum BeaconState {
        /** no accepted beacon with this key: the witness is an orphan ({@code beacon_not_found}) */
        NONE,
        /** the beacon is stored but its window is not evaluated yet: leave the witness to the window */
        PENDING,
        /** the window was evaluated (without this witness, if it has no outcome: it came after the window) */
        EVALUATED
    }

    /** Accepted beacons not yet evaluated, received at or before {@code receivedUpTo}, oldest first (closesAt order). */
    List<BeaconReport> dueBeacons(Instant receivedUpTo, int limit);

    /** Every accepted witness report stored under {@code beaconKey}, any order. */
    List<WitnessReport> witnessesOf(String beaconKey);

    /**
     * Stores the window's outcome: the reciprocity updates, one outcome per report (the paper trail) and the
     * work credits, and marks the window evaluated, all so that a repeated call changes nothing.
     *
     * @return true when this call evaluated the window, false when it already was
     */
    boolean commit(BeaconReport beacon, List<WitnessReport> witnesses, CoverageResult result);

    /** Accepted witnesses not yet judged, received at or before {@code receivedUpTo}, oldest first. */
    List<WitnessReport> dueWitnesses(Instant receivedUpTo, int limit);

    BeaconState beaconState(String beaconKey);

    /** Whether the witness already has an outcome (its window judged it). */
    boolean hasOutcome(WitnessReport witness);

    /** Stores a lone witness's outcome (orphan or late) exactly once and drops it from {@link #dueWitnesses}. */
    boolean commitWitness(WitnessReport witness, Outcome outcome);

    /** Drops a witness its window already judged from {@link #dueWitnesses}. */
    void resolved(WitnessReport witness);
}
