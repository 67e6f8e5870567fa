package dev.flywheel.function;

import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/**
 * Lets {@link Priming} run an SDK call through everything but the network: marshalling, endpoint rules,
 * credentials and SigV4 signing happen, then the call stops just before transmission. Armed only on the
 * priming thread, so ordinary calls never see it.
 */
final class PrimingInterceptor implements ExecutionInterceptor {
    static final PrimingInterceptor INSTANCE = new PrimingInterceptor();
    private static final ThreadLocal<Boolean> ARMED = ThreadLocal.withInitial(() -> false);

    /** Thrown where the request would leave the process; Priming expects it. */
    static final class Stopped extends RuntimeException {
        Stopped() {
            super("priming call stopped before transmission", null, false, false);
        }
    }

    private PrimingInterceptor() {
    }

    static void arm(boolean on) {
        ARMED.set(on);
    }

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        if (ARMED.get()) {
            throw new Stopped();
        }
    }
}
