package dev.flywheel.core.settlement;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A signed chain transaction remembered before it is broadcast, so that a crash or a retry can only
 * ever rebroadcast these exact bytes (same nonce, same hash) and never sign a second transaction
 * for the same intent: the guard against the "receipt timeout, resend, paid twice" bug.
 *
 * @param intentId what the transaction is for, unique per effect (e.g. {@code root-epoch-42})
 * @param from sender address, 0x + 40 hex (stored lower case)
 * @param nonce the sender nonce the signed bytes commit to
 * @param txHash 0x-prefixed keccak256 of {@code signedRawTx} (stored lower case)
 * @param signedRawTx 0x-prefixed signed transaction bytes, ready for eth_sendRawTransaction (stored lower case)
 * @param status where the transaction is in its life
 * @param blockNumber block that included it; null while {@link Status#SIGNED}
 */
public record JournaledTransaction(
        String intentId,
        String from,
        long nonce,
        String txHash,
        String signedRawTx,
        Status status,
        Long blockNumber) {

    private static final Pattern ADDRESS = Pattern.compile("0x[0-9a-f]{40}");
    private static final Pattern HASH = Pattern.compile("0x[0-9a-f]{64}");
    private static final Pattern RAW = Pattern.compile("0x([0-9a-f]{2})+");

    public enum Status {
        /** Signed and journaled; may or may not have reached a node yet. */
        SIGNED,
        /** Included and final, and the transaction succeeded. */
        CONFIRMED,
        /** Included and final, but reverted: the nonce is spent and the intent did not happen. */
        FAILED
    }

    public JournaledTransaction {
        Objects.requireNonNull(intentId, "intentId");
        Objects.requireNonNull(status, "status");
        if (intentId.isBlank()) {
            throw new IllegalArgumentException("intentId must not be blank");
        }
        from = lowerHex(ADDRESS, from, "from");
        txHash = lowerHex(HASH, txHash, "txHash");
        signedRawTx = lowerHex(RAW, signedRawTx, "signedRawTx");
        if (nonce < 0) {
            throw new IllegalArgumentException("nonce must not be negative: " + nonce);
        }
        if ((status == Status.SIGNED) != (blockNumber == null)) {
            throw new IllegalArgumentException("blockNumber must be set exactly when the transaction is final, status " + status);
        }
    }

    /** A freshly signed transaction, before broadcast. */
    public static JournaledTransaction signed(String intentId, String from, long nonce, String txHash, String signedRawTx) {
        return new JournaledTransaction(intentId, from, nonce, txHash, signedRawTx, Status.SIGNED, null);
    }

    /** This transaction once final in {@code block}, successful or reverted. */
    public JournaledTransaction finalised(long block, boolean success) {
        return new JournaledTransaction(intentId, from, nonce, txHash, signedRawTx,
                success ? Status.CONFIRMED : Status.FAILED, block);
    }

    public boolean isFinal() {
        return status != Status.SIGNED;
    }

    private static String lowerHex(Pattern pattern, String value, String name) {
        Objects.requireNonNull(value, name);
        String lower = value.toLowerCase(Locale.ROOT);
        if (!pattern.matcher(lower).matches()) {
            throw new IllegalArgumentException(name + " must match " + pattern + ": " + value);
        }
        return lower;
    }
}
