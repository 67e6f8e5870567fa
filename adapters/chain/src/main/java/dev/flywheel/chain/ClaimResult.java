package dev.flywheel.chain;

import org.web3j.protocol.core.methods.response.TransactionReceipt;

import java.math.BigInteger;

/**
 * A successful claim.
 *
 * @param txHash the claim transaction
 * @param amountPaid tokens minted to the account by this claim (cumulative minus previously claimed)
 * @param receipt the full receipt (gas used, logs)
 */
public record ClaimResult(String txHash, BigInteger amountPaid, TransactionReceipt receipt) {
}
