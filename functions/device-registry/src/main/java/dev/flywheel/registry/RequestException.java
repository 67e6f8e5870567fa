package dev.flywheel.registry;

import dev.flywheel.core.onboarding.OnboardingError;

/** A request refused while parsing or validating it, before anything was read or written. */
final class RequestException extends RuntimeException {
    final ApiResult result;

    RequestException(OnboardingError error, String detail) {
        super(detail);
        this.result = ApiResult.refused(error, detail);
    }

    /** Not one of the onboarding reasons: the request itself is unusable ({@code invalid_request}). */
    RequestException(String detail) {
        super(detail);
        this.result = ApiResult.refused(400, "invalid_request", detail);
    }
}
