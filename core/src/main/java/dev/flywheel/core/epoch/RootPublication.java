package dev.flywheel.core.epoch;

import java.math.BigInteger;

/** Port: makes an epoch's cumulative root final on chain, exactly once per epoch. */
@FunctionalInterface
public interface RootPublication {

    /**
     * Blocks until the root is final, or until the chain shows that only an operator can go on.
     *
     * @param manifestHash 0x-hex SHA-256 of the epoch's canonical manifest, published with the root
     * @throws RuntimeException on transient failures (node down, timeout): calling again resumes
     */
    Result publish(long epoch, String rootHex, BigInteger totalCumulative, String manifestHash);

    sealed interface Result permits Published, Blocked {
    }

    /**
     * The chain has the root for the epoch (or a later one).
     *
     * @param txHash our transaction, or null when the chain already had it and nothing of ours was mined
     */
    record Published(String txHash) implements Result {
    }

    /**
     * Not published, and retrying will not help until an operator acts.
     *
     * @param reason a reason code: {@code CONFLICT}, {@code FEE_CEILING}, {@code REVERTED}
     */
    record Blocked(String reason, String detail) implements Result {
    }
}
