package dev.flywheel.chain;

import java.math.BigInteger;
import java.util.Objects;

/** Fee caps of one EIP-1559 transaction, in wei per gas. */
public record Eip1559Fees(BigInteger maxPriorityFeePerGas, BigInteger maxFeePerGas) {

    public Eip1559Fees {
        Objects.requireNonNull(maxPriorityFeePerGas, "maxPriorityFeePerGas");
        Objects.requireNonNull(maxFeePerGas, "maxFeePerGas");
        if (maxFeePerGas.compareTo(maxPriorityFeePerGas) < 0) {
            throw new IllegalArgumentException("maxFeePerGas below maxPriorityFeePerGas");
        }
    }

    /**
     * Tip = the node's suggestion, but never under {@code minPriorityFee} (Polygon nodes reject tips
     * under 25 gwei, and web3j happily suggests less). Max fee = twice the base fee plus the tip,
     * which keeps the transaction includable through six consecutive full blocks (+12.5 % each).
     */
    public static Eip1559Fees of(BigInteger baseFee, BigInteger suggestedPriorityFee, BigInteger minPriorityFee) {
        BigInteger priority = suggestedPriorityFee.max(minPriorityFee);
        return new Eip1559Fees(priority, baseFee.shiftLeft(1).add(priority));
    }
}
