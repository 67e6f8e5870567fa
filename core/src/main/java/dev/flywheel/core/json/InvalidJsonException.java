package dev.flywheel.core.json;

/** Input that is not strict I-JSON or cannot be canonicalized exactly. */
public final class InvalidJsonException extends Exception {
    private final boolean negativeZero;

    public InvalidJsonException(String message) {
        this(message, false);
    }

    private InvalidJsonException(String message, boolean negativeZero) {
        super(message, null, false, false);
        this.negativeZero = negativeZero;
    }

    /** The integer literal {@code -0}: valid JSON syntax, but no integer of the protocol is spelt that way. */
    static InvalidJsonException negativeZero() {
        return new InvalidJsonException("the integer literal -0 (integers are written as plain digits, zero as 0)", true);
    }

    /** True when the only fault is an integer written {@code -0}; callers report it as a schema fault, not a syntax one. */
    public boolean isNegativeZero() {
        return negativeZero;
    }
}
