package dev.flywheel.core.reward;

import java.math.BigInteger;
import java.util.Map;
import java.util.TreeMap;

/**
 * Lifetime (cumulative) amounts per owner address: the values a cumulative Merkle root commits to.
 * A claim pays {@code cumulative - alreadyClaimed}, so one root per epoch serves every past epoch.
 */
public final class OwnerBalances {
    private OwnerBalances() {
    }

    /** previous cumulative totals plus this epoch's rewards, per owner, ordered by address. */
    public static Map<String, BigInteger> accumulate(Map<String, BigInteger> previous, EpochRewards epoch) {
        Map<String, BigInteger> next = new TreeMap<>(previous);
        for (DeviceReward r : epoch.rewards()) {
            next.merge(r.owner(), r.amount(), BigInteger::add);
        }
        return next;
    }
}
