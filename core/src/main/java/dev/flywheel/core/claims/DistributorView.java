package dev.flywheel.core.claims;

import java.math.BigInteger;
import java.time.Instant;

/** Port: what the distributor contract says now. */
public interface DistributorView {

    OnChainRoots roots();

    /** What {@code account} has claimed so far, lifetime. */
    BigInteger claimed(String account);

    /**
     * @param activeRootHex the root claims verify against now, or null before the first one is active
     * @param pendingRootHex a root waiting for its activation delay, or null
     * @param pendingActivatesAt when it becomes claimable, or null
     */
    record OnChainRoots(String activeRootHex, long activeEpoch, String pendingRootHex, long pendingEpoch,
                        Instant pendingActivatesAt, boolean paused) {
    }
}
