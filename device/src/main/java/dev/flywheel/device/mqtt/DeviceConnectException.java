package dev.flywheel.device.mqtt;

/** The device could not connect: TLS refused (unknown CA, revoked certificate), timeout, broker down. */
public final class DeviceConnectException extends RuntimeException {
    public DeviceConnectException(String message, Throwable cause) {
        super(message, cause);
    }
}
