package dev.flywheel.core.onboarding;

import java.util.Locale;

/** Why a registry change was refused. A refused change leaves the registry exactly as it was. */
public enum OnboardingError {
    INVALID_DEVICE_ID,
    INVALID_OWNER_ADDRESS,
    INVALID_PUBLIC_KEY,
    INVALID_H3_CELL,
    MALFORMED_CSR,
    UNKNOWN_DEVICE,
    ALREADY_REGISTERED,
    DEVICE_REVOKED,
    WRONG_CHAIN,
    STALE_NONCE,
    MISSING_DEVICE_SIGNATURE,
    MISSING_OWNER_SIGNATURE,
    BAD_DEVICE_SIGNATURE,
    BAD_OWNER_SIGNATURE,
    NOT_CURRENT_OWNER,
    LOCATION_RATE_LIMITED;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
