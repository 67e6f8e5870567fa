package dev.flywheel.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Logs, alarms, schedules and the dashboard in template.yaml: every function is covered, and the metrics exist. */
class TemplateObservabilityTest {
    private final Template template = Template.load();
    private final Map<String, JsonNode> functions = template.resources("AWS::Serverless::Function");
    private final Map<String, JsonNode> alarms = template.resources("AWS::CloudWatch::Alarm");

    @Test
    void everyFunctionLogsJsonAtInfoToItsOwnLogGroup() {
        assertFalse(functions.isEmpty());
        JsonNode global = template.tree().path("Globals").path("Function").path("LoggingConfig");
        for (var f : functions.entrySet()) {
            JsonNode own = f.getValue().path("Properties").path("LoggingConfig");
            assertEquals("JSON", own.path("LogFormat").asText(global.path("LogFormat").asText()), f.getKey());
            assertEquals("INFO", own.path("ApplicationLogLevel").asText(global.path("ApplicationLogLevel").asText()), f.getKey());
            String group = own.path("LogGroup").asText();
            assertTrue(template.tree().path("Resources").path(group).path("Properties").has("RetentionInDays"),
                    f.getKey() + ": LogGroup " + group + " is not a log group with a retention");
        }
    }

    @Test
    void everyFunctionHasAnErrorsAndAThrottlesAlarm() {
        List<String> missing = new ArrayList<>();
        for (String function : functions.keySet()) {
            for (String metric : List.of("Errors", "Throttles")) {
                boolean found = alarms.values().stream().map(a -> a.path("Properties")).anyMatch(p ->
                        "AWS/Lambda".equals(p.path("Namespace").asText()) && metric.equals(p.path("MetricName").asText())
                                && p.path("Dimensions").findValuesAsText("Value").contains(function)
                                && p.path("AlarmActions").toString().contains("AlarmTopic"));
                if (!found) {
                    missing.add(function + " " + metric);
                }
            }
        }
        assertEquals(List.of(), missing, "functions without an alarm (AWS/Lambda metric, FunctionName, AlarmTopic)");
    }

    @Test
    void schedulesRetryAndDeadLetterAndFailedRunsAreKept() {
        int schedules = 0;
        for (var f : functions.entrySet()) {
            for (var e : f.getValue().path("Properties").path("Events").properties()) {
                JsonNode event = e.getValue();
                if (!"ScheduleV2".equals(event.path("Type").asText())) {
                    continue;
                }
                schedules++;
                String at = f.getKey() + "/" + e.getKey();
                assertTrue(event.path("Properties").path("RetryPolicy").has("MaximumRetryAttempts"), at + ": no RetryPolicy");
                String dlq = event.path("Properties").path("DeadLetterConfig").path("Arn").asText();
                assertTrue(dlq.endsWith(".Arn") && hasQueueDepthAlarm(dlq.replace(".Arn", "")), at + ": no alarmed DeadLetterConfig");
                JsonNode onFailure = f.getValue().path("Properties").path("EventInvokeConfig").path("DestinationConfig").path("OnFailure");
                assertEquals("SQS", onFailure.path("Type").asText(), at + ": failed runs are not kept (EventInvokeConfig OnFailure)");
            }
        }
        assertTrue(schedules >= 3, "expected the closer, settler and entropy schedules, found " + schedules);
    }

    @Test
    void everyDeadLetterQueueIsAlarmed() {
        for (var q : template.resources("AWS::SQS::Queue").entrySet()) {
            if (q.getKey().contains("DeadLetter") || q.getKey().contains("Error") || q.getKey().contains("Failure")) {
                assertTrue(hasQueueDepthAlarm(q.getKey()), q.getKey() + " has no ApproximateNumberOfMessagesVisible alarm");
            }
        }
    }

    /** The rejection-rate alarm reads the metric the verifier emits: same namespace, name and [Outcome] dimension set. */
    @Test
    void rejectionRateAlarmMatchesTheVerifiersMetric() throws Exception {
        JsonNode alarm = alarms.get("ProofRejectionRateAlarm");
        assertTrue(alarm != null, "no ProofRejectionRateAlarm");
        List<JsonNode> stats = alarm.path("Properties").path("Metrics").findValues("MetricStat");
        assertEquals(2, stats.size());
        for (JsonNode stat : stats) {
            assertEquals("Flywheel", stat.path("Metric").path("Namespace").asText());
            assertEquals("Proofs", stat.path("Metric").path("MetricName").asText());
            assertEquals(List.of("Outcome"), stat.path("Metric").path("Dimensions").findValuesAsText("Name"));
        }
        String source = Files.readString(template.root().resolve(
                "functions/proof-verifier/src/main/java/dev/flywheel/verifier/VerdictMetrics.java"));
        assertTrue(source.contains("\"Namespace\", \"Flywheel\""), "VerdictMetrics no longer emits namespace Flywheel");
        assertTrue(source.contains("Map.of(\"Name\", \"Proofs\""), "VerdictMetrics no longer emits metric Proofs");
        assertTrue(source.contains("List.of(\"Outcome\")"), "VerdictMetrics no longer emits the [Outcome] dimension set");
    }

    @Test
    void unsettledEpochAlarmMatchesTheSettlersMetric() throws Exception {
        JsonNode p = alarms.get("UnsettledEpochAgeAlarm").path("Properties");
        String source = Files.readString(template.root().resolve(
                "functions/settler/src/main/java/dev/flywheel/settler/SettlementMetrics.java"));
        assertTrue(source.contains("NAMESPACE = \"" + p.path("Namespace").asText() + "\""), source);
        assertTrue(source.contains("METRIC = \"" + p.path("MetricName").asText() + "\""), source);
    }

    @Test
    void theDashboardIsJsonAndShowsEveryFunction() throws Exception {
        var dashboards = template.resources("AWS::CloudWatch::Dashboard");
        assertEquals(1, dashboards.size());
        String body = dashboards.values().iterator().next().path("Properties").path("DashboardBody").asText();
        // !Sub placeholders: numbers where the JSON needs a number, strings elsewhere.
        String resolved = body.replaceAll(": \\$\\{[A-Za-z]+}", ": 1").replaceAll("\\$\\{[A-Za-z:.]+}", "x");
        JsonNode json = new ObjectMapper().readTree(resolved);
        assertTrue(json.path("widgets").size() >= 5, "dashboard has " + json.path("widgets").size() + " widgets");
        for (String function : functions.keySet()) {
            assertTrue(body.contains("${" + function + "}"), "the dashboard does not show " + function);
        }
        assertTrue(body.contains("UnsettledEpochAgeSeconds") && body.contains("\"Proofs\""), "the dashboard misses a Flywheel metric");
    }

    private boolean hasQueueDepthAlarm(String queue) {
        return alarms.values().stream().map(a -> a.path("Properties")).anyMatch(p ->
                "ApproximateNumberOfMessagesVisible".equals(p.path("MetricName").asText())
                        && p.path("Dimensions").findValuesAsText("Value").contains(queue + ".QueueName"));
    }
}
