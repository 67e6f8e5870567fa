package dev.flywheel.core.json;

/** Input that is not strict I-JSON or cannot be canonicalized exactly. */
public final class InvalidJsonException extends Exception {
    public InvalidJsonException(String message) {
        super(message, null, false, false);
    }
}
