package dev.flywheel.registry;

import dev.flywheel.core.onboarding.OnboardingError;

import java.util.LinkedHashMap;
import java.util.Map;

/** An HTTP status and a JSON body. Refusals carry {@code error} (a stable reason code) and {@code detail}. */
public record ApiResult(int status, Map<String, Object> body) {

    public static ApiResult ok(int status, Map<String, Object> body) {
        return new ApiResult(status, body);
    }

    public static ApiResult refused(OnboardingError error, String detail) {
        return refused(statusOf(error), error.wire(), detail);
    }

    public static ApiResult refused(int status, String code, String detail) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", code);
        body.put("detail", detail);
        return new ApiResult(status, body);
    }

    public boolean isError() {
        return status >= 400;
    }

    /** The HTTP status for each refusal: 400 bad input, 403 signatures, 404 unknown, 409 state, 429 rate limit. */
    public static int statusOf(OnboardingError error) {
        return switch (error) {
            case UNKNOWN_DEVICE -> 404;
            case ALREADY_REGISTERED, DEVICE_REVOKED, STALE_NONCE -> 409;
            case BAD_DEVICE_SIGNATURE, BAD_OWNER_SIGNATURE, NOT_CURRENT_OWNER -> 403;
            case LOCATION_RATE_LIMITED -> 429;
            default -> 400;
        };
    }
}
