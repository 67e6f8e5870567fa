package dev.flywheel.core.proof;

/** Lifecycle of a registered device; only ACTIVE devices earn. */
public enum DeviceStatus {
    ACTIVE,
    SUSPENDED,
    REVOKED
}
