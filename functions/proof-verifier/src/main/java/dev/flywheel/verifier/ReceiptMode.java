package dev.flywheel.verifier;

import java.util.Locale;

/**
 * Which verdicts get a receipt ({@code flywheel.receipts.mode}, {@code FLYWHEEL_RECEIPTS_MODE}). Every receipt is one
 * IoT data-plane publish, billed like the proof's own message, so a network that wants the cheapest path sends
 * {@link #REJECTIONS} (a device needs to hear about a problem, not about each success) or {@link #NONE}
 * (docs/cost.md compares the three).
 */
public enum ReceiptMode {
    ALL, REJECTIONS, NONE;

    public boolean wants(VerdictReceipt receipt) {
        return switch (this) {
            case ALL -> true;
            case REJECTIONS -> !receipt.accepted();
            case NONE -> false;
        };
    }

    public static ReceiptMode parse(String value) {
        try {
            return valueOf(value.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("flywheel.receipts.mode must be all, rejections or none, not '" + value + "'", e);
        }
    }
}
