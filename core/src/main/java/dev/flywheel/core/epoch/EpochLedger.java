package dev.flywheel.core.epoch;

import dev.flywheel.core.merkle.CumulativeMerkleTree;
import dev.flywheel.core.reward.EpochRewards;

import java.math.BigInteger;
import java.util.Map;
import java.util.Optional;

/** Port: the epoch bookkeeping the closer and settler need (DynamoDB in production). */
public interface EpochLedger {

    /** Progress markers; {@code -1} style values mean "none yet" relative to the first epoch. */
    record Cursor(long lastClosed, long lastSettled) {
    }

    Cursor cursor(long initialEpoch);

    /**
     * Marks the epoch CLOSING so no new credit can land in it (the verifier's write checks this),
     * idempotently: a crashed close resumes. Returns false when the epoch is already CLOSED.
     */
    boolean beginClosing(long epoch);

    /** Cumulative owner totals as of a closed epoch; empty for none. */
    Map<String, BigInteger> balances(long epoch);

    /** Idempotent: same inputs write the same items. */
    void writeRewards(EpochRewards rewards, Map<String, BigInteger> cumulative, CumulativeMerkleTree tree);

    /**
     * Stores the epoch's canonical manifest document (idempotent; large: a million devices make
     * hundreds of MB), before {@link #markClosed}, with the rules version it was computed under.
     */
    void writeManifest(long epoch, String configVersion, byte[] canonicalDocument);

    /** The stored canonical manifest document of an epoch, if one was written. */
    Optional<byte[]> manifestDocument(long epoch);

    /** The rules version a closed epoch was computed under. */
    Optional<String> configVersion(long epoch);

    /** Atomically marks the epoch CLOSED and advances the cursor from epoch-1 to epoch. */
    void markClosed(EpochManifest manifest, long previousClosed);

    Optional<EpochManifest> manifest(long epoch);

    /** Records that the root of this epoch is final on chain, advancing lastSettled. */
    void markSettled(long epoch, String txHash, long previousSettled);
}
