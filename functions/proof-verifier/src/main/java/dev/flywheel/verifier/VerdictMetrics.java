package dev.flywheel.verifier;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flywheel.core.verify.Verdict;
import dev.flywheel.core.verify.VerdictLedger;
import dev.flywheel.core.verify.VerificationService;

import io.micronaut.context.annotation.Value;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Verdict counts per batch as CloudWatch Embedded Metric Format log lines: metric {@code Proofs}
 * in namespace {@code Flywheel}, dimension sets [Outcome, Reason] and [Outcome]. Lambda's log stream turns them into
 * metrics with no API call in the hot path, so alarms can watch the rejection mix.
 */
@Singleton
class VerdictMetrics {
    private final ObjectMapper json;
    private final Consumer<String> logSink;

    VerdictMetrics(ObjectMapper json, Consumer<String> logSink) {
        this.json = json;
        this.logSink = logSink;
    }

    /** Lambda turns EMF lines on stdout into metrics; {@code flywheel.metrics.emf=false} silences them. */
    @Inject
    VerdictMetrics(ObjectMapper json, @Value("${flywheel.metrics.emf:true}") boolean enabled) {
        this(json, enabled ? System.out::println : line -> { });
    }

    /** One line per (outcome, reason) seen in the batch; redeliveries are not counted again. */
    void emit(List<VerificationService.Result> results, long timestampMillis) {
        Map<String, Long> counts = new TreeMap<>();
        for (VerificationService.Result result : results) {
            if (result instanceof VerificationService.Result.Done done
                    && done.recorded().outcome() == VerdictLedger.Outcome.RECORDED) {
                String key = switch (done.recorded().stored()) {
                    case Verdict.Accepted a -> "accepted|none";
                    case Verdict.Rejected r -> "rejected|" + r.reason().wire();
                };
                counts.merge(key, 1L, Long::sum);
            } else if (result instanceof VerificationService.Result.Retry) {
                counts.merge("retry|storage", 1L, Long::sum);
            }
        }
        counts.forEach((key, count) -> logSink.accept(line(key.substring(0, key.indexOf('|')),
                key.substring(key.indexOf('|') + 1), count, timestampMillis)));
    }

    private String line(String outcome, String reason, long count, long timestampMillis) {
        Map<String, Object> metric = Map.of("Name", "Proofs", "Unit", "Count");
        Map<String, Object> directive = Map.of("Namespace", "Flywheel",
                // [Outcome] as well: template.yaml's ProofRejectionRateAlarm divides rejected by all verdicts.
                "Dimensions", List.of(List.of("Outcome", "Reason"), List.of("Outcome")), "Metrics", List.of(metric));
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("_aws", Map.of("Timestamp", timestampMillis, "CloudWatchMetrics", List.of(directive)));
        root.put("Outcome", outcome);
        root.put("Reason", reason);
        root.put("Proofs", count);
        try {
            return json.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
