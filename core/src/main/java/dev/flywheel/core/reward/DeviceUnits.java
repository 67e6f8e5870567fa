package dev.flywheel.core.reward;

/**
 * One device's epoch work as the split sees it: weighted units per pool, indexed like
 * {@link RewardRules#pools()}, and its raw units over all sources.
 */
public record DeviceUnits(String deviceId, String owner, long[] poolUnits, long rawUnits) {
}
