package dev.flywheel.chain;

import dev.flywheel.core.settlement.JournaledTransaction;
import dev.flywheel.core.settlement.TransactionJournal;

import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** Test stand-in for the DynamoDB journal, with the same conditional-create semantics. */
class InMemoryTransactionJournal implements TransactionJournal {
    private final ConcurrentMap<String, JournaledTransaction> entries = new ConcurrentHashMap<>();

    @Override
    public Optional<JournaledTransaction> find(String intentId) {
        return Optional.ofNullable(entries.get(intentId));
    }

    @Override
    public boolean record(JournaledTransaction tx) {
        return entries.putIfAbsent(tx.intentId(), tx) == null;
    }

    @Override
    public void markConfirmed(String intentId, long blockNumber, boolean success) {
        if (entries.computeIfPresent(intentId, (id, tx) -> tx.finalised(blockNumber, success)) == null) {
            throw new NoSuchElementException("no journaled transaction for " + intentId);
        }
    }

    int size() {
        return entries.size();
    }
}
