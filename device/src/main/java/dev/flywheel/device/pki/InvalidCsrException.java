package dev.flywheel.device.pki;

/**
 * A certificate signing request was refused: not PEM/PKCS#10, bad self-signature, a subject that
 * is not a valid thing name, or an unsupported key. The message says which, for the caller to show.
 */
public final class InvalidCsrException extends IllegalArgumentException {
    public InvalidCsrException(String message) {
        super(message);
    }

    public InvalidCsrException(String message, Throwable cause) {
        super(message, cause);
    }
}
