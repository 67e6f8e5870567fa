package dev.flywheel.core.types.coverage;

import dev.flywheel.core.types.coverage.CoverageResult.Outcome;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * Runs the cross-report checks of every beacon window that has closed ({@link CoverageWindow#closesAt}), one at a
 * time in closesAt order (the beacon's receive time order), so each window reads the reciprocity history as the
 * earlier windows left it. Then it judges the witnesses no window took: {@code beacon_not_found} when their
 * beacon never arrived ({@link CoverageWindow#orphanAfter}), {@code witness_too_late} when it arrived after the
 * beacon's window was evaluated. Exactly-once is the store's job ({@link CoverageWindowStore#commit}): running the
 * evaluator again, or concurrently, credits nothing twice.
 */
public final class CoverageWindowEvaluator {

    /** What one run did. */
    public record Summary(int windows, int lateOrOrphanWitnesses, long units) {
    }

    private final CoverageWindow window;
    private final CoverageWindowStore store;

    public CoverageWindowEvaluator(CoverageWindow window, CoverageWindowStore store) {
        this.window = Objects.requireNonNull(window, "window");
        this.store = Objects.requireNonNull(store, "store");
    }

    /** Evaluates up to {@code limit} due windows and up to {@code limit} lone witnesses. */
    public Summary evaluateDue(Instant now, int limit) {
        return evaluateDue(now, limit, () -> true);
    }

    /**
     * As {@link #evaluateDue(Instant, int)}, stopping early (between windows) once {@code timeLeft} says no, so an
     * invocation ends inside its timeout; the next run continues where this one stopped.
     */
    public Summary evaluateDue(Instant now, int limit, java.util.function.BooleanSupplier timeLeft) {
        CoverageConfig c = window.config();
        int windows = 0;
        long units = 0;
        // closesAt(rx) <= now  <=>  rx <= now - lag - settle
        Instant beaconsUpTo = now.minus(c.maxBeaconToWitnessLag()).minus(c.settleDelay());
        for (BeaconReport beacon : store.dueBeacons(beaconsUpTo, limit)) {
            if (!timeLeft.getAsBoolean()) {
                return new Summary(windows, 0, units);
            }
            var witnesses = store.witnessesOf(beacon.beaconKey());
            CoverageResult result = window.evaluate(beacon, witnesses);
            if (store.commit(beacon, witnesses, result)) {
                windows++;
                units += result.totalUnits();
            }
        }
        int lone = 0;
        // orphanAfter(rx) <= now  <=>  rx <= now - entropy window - lag - settle
        Instant witnessesUpTo = now.minus(c.entropyMaxAge()).minus(c.maxBeaconToWitnessLag()).minus(c.settleDelay());
        for (WitnessReport w : store.dueWitnesses(witnessesUpTo, limit)) {
            if (!timeLeft.getAsBoolean()) {
                break;
            }
            if (store.hasOutcome(w)) {
                store.resolved(w);
                continue;
            }
            switch (store.beaconState(w.beaconKey())) {
                case PENDING -> {
                    // its window is not evaluated yet (over this run's limit): the window judges it
                }
                case NONE -> lone += store.commitWitness(w, CoverageWindow.orphan(w)) ? 1 : 0;
                case EVALUATED -> lone += store.commitWitness(w, afterWindow(w)) ? 1 : 0;
            }
        }
        return new Summary(windows, lone, units);
    }

    /** A witness stored after its beacon's window was evaluated: far later than the 4000 ms lag allows. */
    static Outcome afterWindow(WitnessReport w) {
        return new Outcome(w.proofId(), w.deviceId(), false, CoverageReason.WITNESS_TOO_LATE,
                "witness arrived after the beacon's window was evaluated",
                Map.of("after", "window", "beaconKey", w.beaconKey()), 0);
    }
}
