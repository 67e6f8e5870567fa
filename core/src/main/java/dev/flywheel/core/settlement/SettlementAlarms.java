package dev.flywheel.core.settlement;

/**
 * Remembers which settlement alarms were raised, so that a condition only an operator can resolve
 * (a root conflict, a fee ceiling, a reverted root) is raised once with its reason instead of
 * failing every scheduled run.
 */
public interface SettlementAlarms {

    /**
     * Records the alarm {@code key} if it is new.
     *
     * @return true the first time {@code key} is raised, false on every later call
     */
    boolean raiseOnce(String key, String reason, String detail);
}
