package dev.flywheel.chain;

import java.math.BigInteger;

/**
 * Outcome of publishing one epoch's root.
 *
 * @param intentId journal key, {@code root-epoch-<n>}
 * @param outcome what happened
 * @param txHash our transaction, or null when {@link Outcome#ALREADY_PUBLISHED}
 * @param blockNumber block of our transaction (final), or null
 * @param gasUsed gas of our transaction, or null
 */
public record SettlementReceipt(String intentId, Outcome outcome, String txHash, Long blockNumber, BigInteger gasUsed) {

    public enum Outcome {
        /** Our transaction set the root and is final (now, or by an earlier attempt). */
        PUBLISHED,
        /** Our transaction was included and final but reverted; the intent did not happen and needs an operator. */
        REVERTED,
        /** The contract already had this epoch or a later one and the journal had nothing for it: nothing was sent. */
        ALREADY_PUBLISHED
    }
}
