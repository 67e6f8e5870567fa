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
 * @param detail why, for the outcomes an operator must look at (and for reconciliations), else null
 */
public record SettlementReceipt(String intentId, Outcome outcome, String txHash, Long blockNumber, BigInteger gasUsed,
                                String detail) {

    public boolean settled() {
        return outcome == Outcome.PUBLISHED || outcome == Outcome.ALREADY_PUBLISHED;
    }

    public enum Outcome {
        /** Our transaction set the root and is final (now, or by an earlier attempt). */
        PUBLISHED,
        /** Our transaction was included and final but reverted; the intent did not happen and needs an operator. */
        REVERTED,
        /**
         * The contract has this epoch (with this root) or a later one, published by an earlier attempt
         * whose journal entry was lost, or by another key: reconciled from the chain, nothing more is sent.
         */
        ALREADY_PUBLISHED,
        /** The contract has this epoch with another root: the rewards computation is not deterministic. */
        CONFLICT,
        /** Our transaction waits below the market and the fee ceiling does not allow a 10 % higher replacement. */
        FEE_CEILING
    }
}
