package dev.flywheel.verifier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flywheel.function.JsonMapperSettings;
import dev.flywheel.core.verify.InboundProof;
import dev.flywheel.core.proof.ReasonCode;
import dev.flywheel.core.verify.Verdict;
import dev.flywheel.core.verify.VerdictLedger;
import dev.flywheel.core.verify.VerificationService.Result;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class VerdictMetricsTest {
    private static final InboundProof IN = new InboundProof("d", "dev-1", Instant.EPOCH, new byte[0]);

    private static Result rejected(ReasonCode reason, VerdictLedger.Outcome outcome) {
        return new Result.Done(IN, new VerdictLedger.Recorded(outcome, Verdict.Rejected.of("dev-1", reason, "x"), 0));
    }

    @Test
    void countsFirstRecordingsPerOutcomeAndReasonInEmbeddedMetricFormat() throws Exception {
        List<String> lines = new ArrayList<>();
        new VerdictMetrics(JsonMapperSettings.configure(new ObjectMapper()), lines::add).emit(List.of(
                rejected(ReasonCode.BAD_SIGNATURE, VerdictLedger.Outcome.RECORDED),
                rejected(ReasonCode.BAD_SIGNATURE, VerdictLedger.Outcome.RECORDED),
                rejected(ReasonCode.BAD_SIGNATURE, VerdictLedger.Outcome.ALREADY_RECORDED),
                rejected(ReasonCode.STALE, VerdictLedger.Outcome.RECORDED),
                new Result.Retry(IN, new IllegalStateException("throttled"))), 1_700_000_000_000L);

        assertEquals(3, lines.size());
        JsonNode bad = new ObjectMapper().readTree(lines.get(0));
        assertEquals("rejected", bad.get("Outcome").asText());
        assertEquals("bad_signature", bad.get("Reason").asText());
        assertEquals(2, bad.get("Proofs").asLong(), "a redelivery is not counted twice");
        JsonNode directive = bad.get("_aws").get("CloudWatchMetrics").get(0);
        assertEquals("Flywheel", directive.get("Namespace").asText());
        assertEquals("Proofs", directive.get("Metrics").get(0).get("Name").asText());
        assertEquals(1_700_000_000_000L, bad.get("_aws").get("Timestamp").asLong());
        assertEquals("stale", new ObjectMapper().readTree(lines.get(1)).get("Reason").asText());
        assertEquals("retry", new ObjectMapper().readTree(lines.get(2)).get("Outcome").asText());
    }
}
