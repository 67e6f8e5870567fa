package dev.flywheel.chain;

import dev.flywheel.chain.contracts.RewardsDistributor;

import java.math.BigInteger;
import java.time.Instant;

/**
 * What RewardsDistributor.roots() says at one block.
 *
 * @param activeRoot the root claims verify against now (a pending root whose delay has passed counts as active)
 * @param activeEpoch its epoch
 * @param activeTotal its declared cumulative total
 * @param hasActive false until the first root is active
 * @param pendingRoot root waiting for its activation delay, or null
 * @param pendingEpoch its epoch (meaningless when nothing is pending)
 * @param pendingTotal its declared total
 * @param pendingActivatesAt when it becomes claimable, or null
 * @param paused claims paused by the guardian
 */
public record DistributorState(byte[] activeRoot, long activeEpoch, BigInteger activeTotal, boolean hasActive,
                               byte[] pendingRoot, long pendingEpoch, BigInteger pendingTotal, Instant pendingActivatesAt,
                               boolean paused) {

    static DistributorState read(RewardsDistributor distributor) {
        var t = ContractCalls.read(distributor.roots(), "roots()");
        boolean pending = t.component8().signum() != 0;
        return new DistributorState(t.component1(), t.component2().longValueExact(), t.component3(), t.component4(),
                pending ? t.component5() : null, t.component6().longValueExact(), t.component7(),
                pending ? Instant.ofEpochSecond(t.component8().longValueExact()) : null, t.component9());
    }

    public boolean hasPending() {
        return pendingActivatesAt != null;
    }

    /** The newest epoch the contract accepted, pending or active; -1 if none. */
    public long lastEpoch() {
        return hasPending() ? pendingEpoch : hasActive ? activeEpoch : -1;
    }
}
