package dev.flywheel.core.settlement;

import java.util.Optional;

/**
 * Durable record of signed transactions, keyed by intent. Its one promise is that {@link #record}
 * is a conditional create: of two racing writers for the same intent exactly one wins, which makes
 * "sign, record, then broadcast" exactly-once per intent across crashes and concurrent retries.
 * Implementations: DynamoDB in production, an in-memory map in tests.
 */
public interface TransactionJournal {

    Optional<JournaledTransaction> find(String intentId);

    /**
     * Stores {@code tx} only if no transaction is journaled for its intent yet.
     *
     * @return true if stored, false if the intent already had one (the caller must then use that one)
     */
    boolean record(JournaledTransaction tx);

    /**
     * Marks the intent's transaction final in {@code blockNumber}: CONFIRMED if it succeeded, FAILED if
     * it reverted. Idempotent for the same outcome.
     *
     * @throws java.util.NoSuchElementException if nothing is journaled for {@code intentId}
     */
    void markConfirmed(String intentId, long blockNumber, boolean success);
}
