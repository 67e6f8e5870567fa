package dev.flywheel.settler;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flywheel.core.epoch.EpochClock;
import dev.flywheel.core.epoch.EpochLedger;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The age of the oldest unsettled epoch as a CloudWatch Embedded Metric Format line: metric
 * {@value #METRIC} (seconds) in namespace {@value #NAMESPACE}, no dimensions. template.yaml's
 * UnsettledEpochAgeAlarm watches it. The oldest unsettled epoch is the one after the last settled, whether
 * or not it is closed yet, so the figure grows when either the closer or the settler is stuck; it is 0
 * while that epoch has not ended.
 */
final class SettlementMetrics {
    static final String NAMESPACE = "Flywheel";
    static final String METRIC = "UnsettledEpochAgeSeconds";

    private SettlementMetrics() {
    }

    static long unsettledAgeSeconds(EpochLedger.Cursor cursor, EpochClock clock, Instant now) {
        Instant ended = clock.end(cursor.lastSettled() + 1);
        return Math.max(0, Duration.between(ended, now).toSeconds());
    }

    /** The EMF line, written by {@code json} (the context's mapper). */
    static String line(ObjectMapper json, EpochLedger.Cursor cursor, EpochClock clock, Instant now) {
        Map<String, Object> directive = Map.of("Namespace", NAMESPACE, "Dimensions", List.of(List.of()),
                "Metrics", List.of(Map.of("Name", METRIC, "Unit", "Seconds")));
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("_aws", Map.of("Timestamp", now.toEpochMilli(), "CloudWatchMetrics", List.of(directive)));
        root.put(METRIC, unsettledAgeSeconds(cursor, clock, now));
        root.put("oldestUnsettledEpoch", cursor.lastSettled() + 1);
        root.put("lastClosedEpoch", cursor.lastClosed());
        try {
            return json.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
