package dev.flywheel.settler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flywheel.function.JsonMapperSettings;
import dev.flywheel.core.epoch.EpochClock;
import dev.flywheel.core.epoch.EpochLedger;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SettlementMetricsTest {
    private static final ObjectMapper JSON = JsonMapperSettings.configure(new ObjectMapper());
    private static final EpochClock CLOCK = new EpochClock(Instant.parse("2026-01-01T00:00:00Z"), Duration.ofHours(1));

    @Test
    void ageRunsFromTheEndOfTheEpochAfterTheLastSettled() {
        // Epochs 0..4 settled, 5 (ends 06:00) and 6 closed but not settled: 90 minutes late at 07:30.
        var cursor = new EpochLedger.Cursor(6, 4);
        assertEquals(5400, SettlementMetrics.unsettledAgeSeconds(cursor, CLOCK, Instant.parse("2026-01-01T07:30:00Z")));
    }

    @Test
    void nothingIsLateWhileTheNextEpochIsStillRunning() {
        var cursor = new EpochLedger.Cursor(4, 4);
        assertEquals(0, SettlementMetrics.unsettledAgeSeconds(cursor, CLOCK, Instant.parse("2026-01-01T05:59:59Z")));
    }

    @Test
    void aStuckCloserCountsToo() {
        // Nothing closed after epoch 2, so epoch 3 (ended 04:00) is unsettled: the age grows although the
        // settler has nothing to do.
        var cursor = new EpochLedger.Cursor(2, 2);
        assertEquals(2 * 3600, SettlementMetrics.unsettledAgeSeconds(cursor, CLOCK, Instant.parse("2026-01-01T06:00:00Z")));
    }

    @Test
    void theLineIsEmbeddedMetricFormat() throws Exception {
        Instant now = Instant.parse("2026-01-01T07:30:00Z");
        JsonNode line = JSON.readTree(SettlementMetrics.line(JSON, new EpochLedger.Cursor(6, 4), CLOCK, now));
        JsonNode directive = line.path("_aws").path("CloudWatchMetrics").get(0);
        assertEquals("Flywheel", directive.path("Namespace").asText());
        assertEquals("UnsettledEpochAgeSeconds", directive.path("Metrics").get(0).path("Name").asText());
        assertEquals("Seconds", directive.path("Metrics").get(0).path("Unit").asText());
        assertEquals(0, directive.path("Dimensions").get(0).size());
        assertEquals(now.toEpochMilli(), line.path("_aws").path("Timestamp").asLong());
        assertEquals(5400, line.path("UnsettledEpochAgeSeconds").asLong());
        assertEquals(5, line.path("oldestUnsettledEpoch").asLong());
    }
}
