package dev.flywheel.devnet;

import dev.flywheel.dynamodb.DynamoCapacityMeter;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/**
 * The SDK loads this for every client of the devnet tests (classpath file
 * {@code software/amazon/awssdk/global/handlers/execution.interceptors}), so the functions' own DynamoDB clients are
 * metered without a line of test code in them. It counts only requests made while a test switched it on for the calling
 * thread ({@link #meterThisThread}), on the host's verifier thread ({@link #meterThread}) or on the verifier's workers
 * ({@link #meterVerifyThreads}): the verifier's requests,
 * not the test's own reads nor the scheduled closer's.
 */
public final class VerifierMeter implements ExecutionInterceptor {
    static final DynamoCapacityMeter METER = new DynamoCapacityMeter();
    private static final ThreadLocal<Boolean> ON = ThreadLocal.withInitial(() -> false);
    private static volatile String meteredThread;

    static void meterThisThread(boolean on) {
        ON.set(on);
    }

    static void meterThread(String name) {
        meteredThread = name;
    }

    private static volatile boolean verifyThreads;

    /** Also meter the verifier's per-device workers ({@code verify-N}, VerificationService) while {@code on}. */
    static void meterVerifyThreads(boolean on) {
        verifyThreads = on;
    }

    private static boolean on() {
        String name = Thread.currentThread().getName();
        return ON.get() || name.equals(meteredThread) || (verifyThreads && name.startsWith("verify-"));
    }

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
        if (on()) {
            METER.afterExecution(context, attributes);
        }
    }

    @Override
    public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
        if (on()) {
            METER.onExecutionFailure(context, attributes);
        }
    }
}
