package dev.flywheel.core.verify;

/** Lifecycle of a registered device; only ACTIVE devices earn. */
public enum DeviceStatus {
    ACTIVE,
    SUSPENDED,
    REVOKED
}
