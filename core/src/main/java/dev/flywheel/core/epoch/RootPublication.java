package dev.flywheel.core.epoch;

import java.math.BigInteger;

/** Port: makes an epoch's cumulative root final on chain, exactly once per epoch. */
@FunctionalInterface
public interface RootPublication {

    /**
     * Blocks until the root is final; returns the transaction hash (of the earlier publication on a
     * retry), or null when the chain already had the epoch and nothing was sent.
     *
     * @param manifestHash 0x-hex SHA-256 of the epoch's canonical manifest, published with the root
     */
    String publish(long epoch, String rootHex, BigInteger totalCumulative, String manifestHash);
}
