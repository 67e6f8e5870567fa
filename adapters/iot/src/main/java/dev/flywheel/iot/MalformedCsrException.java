package dev.flywheel.iot;

/** The CSR cannot be used: not PEM PKCS#10, bad self-signature, unaccepted key, or a subject that is not the thing. */
public final class MalformedCsrException extends RuntimeException {
    public MalformedCsrException(String message) {
        super(message);
    }

    public MalformedCsrException(String message, Throwable cause) {
        super(message, cause);
    }
}
