package dev.flywheel.chain;

/**
 * A contract call reverted, either in gas estimation (nothing was signed or sent) or on chain.
 * {@link #errorName()} names the contract's custom error, e.g. {@code InvalidProof} or
 * {@code NothingToClaim}, when the node returned revert data.
 */
public class ContractRevertedException extends ChainException {
    private final String errorName;
    private final String revertData;

    public ContractRevertedException(String message, String errorName, String revertData) {
        super(message);
        this.errorName = errorName;
        this.revertData = revertData;
    }

    /** Custom error name, or null if unknown (no revert data, or an error of another contract). */
    public String errorName() {
        return errorName;
    }

    /** Raw 0x-hex revert data as returned by the node, or null. */
    public String revertData() {
        return revertData;
    }
}
