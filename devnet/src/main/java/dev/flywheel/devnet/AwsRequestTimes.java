package dev.flywheel.devnet;

import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Devnet only, registered like {@link MotoTransactionGuard}: counts every AWS request of the JVM by service and operation,
 * with the time from the SDK's first hook to its last (retries included). A load run prints it, because on the devnet the
 * AWS stand-in serves one request at a time and is where the pipeline's time goes: this says which requests to remove.
 */
public final class AwsRequestTimes implements ExecutionInterceptor {
    private static final ExecutionAttribute<Long> STARTED = new ExecutionAttribute<>("flywheel.request-started");
    private static final Map<String, LongAdder[]> BY_OPERATION = new ConcurrentHashMap<>();

    /** One operation's totals. */
    public record Operation(String name, long requests, double totalSeconds) {
        public double meanMillis() {
            return requests == 0 ? 0 : totalSeconds * 1000 / requests;
        }
    }

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        attributes.putAttribute(STARTED, System.nanoTime());
    }

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
        record(attributes);
    }

    @Override
    public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
        record(attributes);
    }

    private static void record(ExecutionAttributes attributes) {
        Long started = attributes.getAttribute(STARTED);
        if (started == null) {
            return;
        }
        String name = attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME) + "."
                + attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
        LongAdder[] totals = BY_OPERATION.computeIfAbsent(name, n -> new LongAdder[] {new LongAdder(), new LongAdder()});
        totals[0].increment();
        totals[1].add(System.nanoTime() - started);
    }

    /** Forgets what was counted (a run measures from here). */
    public static void reset() {
        BY_OPERATION.clear();
    }

    /** Operations by total time, largest first. */
    public static List<Operation> snapshot() {
        return BY_OPERATION.entrySet().stream()
                .map(e -> new Operation(e.getKey(), e.getValue()[0].sum(), e.getValue()[1].sum() / 1e9))
                .sorted(Comparator.comparingDouble(Operation::totalSeconds).reversed()).toList();
    }

    /** A snapshot as a JSON-ready map: operation to requests and total seconds. */
    public static Map<String, Object> asMap(List<Operation> snapshot) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Operation o : snapshot) {
            out.put(o.name(), Map.of("requests", o.requests(), "seconds", Math.round(o.totalSeconds() * 10) / 10.0));
        }
        return out;
    }
}
