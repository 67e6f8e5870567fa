package dev.flywheel.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The operator's ingest switch in template.yaml (parameter {@code ProofIngest}): sqs (the default) keeps the IoT rule
 * -> ProofQueue -> verifier wiring; kinesis puts the rule's records on ProofStream keyed by device and triggers the
 * verifier's Kinesis entry point, with a bounded retry, bisection, partial-batch responses and a failure destination,
 * and only the permissions each side calls. (cfn-lint checks that nothing refers to a kinesis-only resource unguarded.)
 */
class ProofIngestTemplateTest {
    private static final String KINESIS = "UseKinesisIngest";
    private final Template template = Template.load();
    private final JsonNode resources = template.tree().path("Resources");

    @Test
    void sqsIsTheDefaultAndKinesisTheOption() {
        JsonNode p = template.tree().path("Parameters").path("ProofIngest");
        assertEquals("sqs", p.path("Default").asText());
        assertEquals(List.of("sqs", "kinesis"), texts(p.path("AllowedValues")));
        assertEquals(List.of("ProofIngest", "kinesis"), texts(template.tree().path("Conditions").path(KINESIS)));
        for (String id : List.of("ProofStream", "ProofStreamFailureQueue", "ProofStreamEventSource", "ProofStreamFailureAlarm",
                "ProofStreamAgeAlarm")) {
            assertEquals(KINESIS, resources.path(id).path("Condition").asText(), id + " must exist only in kinesis mode");
        }
    }

    @Test
    void theRulePutsRecordsKeyedByDeviceOrSendsToTheQueueAndKeepsItsErrorAction() {
        JsonNode payload = resources.path("ProofIngestRule").path("Properties").path("TopicRulePayload");
        JsonNode actions = payload.path("Actions");
        assertEquals(KINESIS, actions.path(0).asText(), "Actions: !If [UseKinesisIngest, [kinesis], [sqs]]");
        JsonNode kinesis = actions.path(1).path(0).path("Kinesis");
        assertEquals("ProofStream", kinesis.path("StreamName").asText());
        assertEquals("${topic(3)}", kinesis.path("PartitionKey").asText(), "the authenticated thing name: per-device order");
        assertEquals("ProofIngestRuleRole.Arn", kinesis.path("RoleArn").asText());
        JsonNode sqs = actions.path(2).path(0).path("Sqs");
        assertEquals("ProofQueue", sqs.path("QueueUrl").asText());
        assertEquals("false", sqs.path("UseBase64").asText());
        assertEquals("IngestErrorQueue", payload.path("ErrorAction").path("Sqs").path("QueueUrl").asText(),
                "one error action for both modes");
        assertTrue(payload.path("Sql").asText().contains("topic(3) AS thing"), "the record's data is the same rule JSON");
    }

    @Test
    void theStreamIsEncryptedWithTheAwsManagedKeyAndSizedByParameters() {
        JsonNode p = resources.path("ProofStream").path("Properties");
        assertEquals("KMS", p.path("StreamEncryption").path("EncryptionType").asText());
        assertEquals("alias/aws/kinesis", p.path("StreamEncryption").path("KeyId").asText());
        assertEquals("ProofStreamMode", p.path("StreamModeDetails").path("StreamMode").asText());
        assertEquals(List.of("ON_DEMAND", "PROVISIONED"), texts(template.tree().path("Parameters").path("ProofStreamMode")
                .path("AllowedValues")).stream().sorted().toList());
        assertTrue(p.path("ShardCount").toString().contains("ProofStreamShards"), p.toString());
    }

    @Test
    void theVerifierTakesKinesisBatchesThatNeverBlockAShard() {
        JsonNode esm = resources.path("ProofStreamEventSource").path("Properties");
        assertEquals("ProofVerifierFunction.Alias", esm.path("FunctionName").asText(), "the `live` alias, as the SQS event");
        assertEquals("ProofStream.Arn", esm.path("EventSourceArn").asText());
        assertEquals("TRIM_HORIZON", esm.path("StartingPosition").asText());
        assertEquals(100, esm.path("BatchSize").asInt());
        assertEquals(1, esm.path("MaximumBatchingWindowInSeconds").asInt());
        assertEquals(1, esm.path("ParallelizationFactor").asInt(1), "one batch per shard: per-device order");
        assertTrue(esm.path("BisectBatchOnFunctionError").asBoolean());
        int retries = esm.path("MaximumRetryAttempts").asInt(-1);
        assertTrue(retries >= 1 && retries <= 10, "bounded retries, or a failing record blocks its shard: " + retries);
        assertEquals(List.of("ReportBatchItemFailures"), texts(esm.path("FunctionResponseTypes")));
        assertEquals("ProofStreamFailureQueue.Arn", esm.path("DestinationConfig").path("OnFailure").path("Destination").asText());

        JsonNode verifier = resources.path("ProofVerifierFunction").path("Properties");
        assertEquals(List.of(KINESIS, "dev.flywheel.verifier.KinesisProofVerifierHandler::handleRequest",
                "dev.flywheel.verifier.ProofVerifierHandler::handleRequest"), texts(verifier.path("Handler")));
        JsonNode sqsEvent = verifier.path("Events").path("Proofs").path("Properties");
        assertEquals("ProofQueue.Arn", sqsEvent.path("Queue").asText());
        assertEquals(100, sqsEvent.path("BatchSize").asInt());
        assertEquals(1, sqsEvent.path("MaximumBatchingWindowInSeconds").asInt());
        assertEquals(List.of("ReportBatchItemFailures"), texts(sqsEvent.path("FunctionResponseTypes")));
        assertEquals(List.of(KINESIS, "false", "true"), texts(sqsEvent.path("Enabled")), "the SQS mapping polls only in sqs mode");
    }

    @Test
    void eachSideGetsOnlyWhatItCalls() {
        JsonNode ruleStatements = resources.path("ProofIngestRuleRole").path("Properties").path("Policies").path(0)
                .path("PolicyDocument").path("Statement");
        JsonNode put = conditional(ruleStatements, "PutProofRecords");
        assertEquals(List.of("kinesis:PutRecord"), texts(put.path("Action")));
        assertEquals("ProofStream.Arn", put.path("Resource").asText());

        JsonNode verifierStatements = resources.path("ProofVerifierFunction").path("Properties").path("Policies").path(0)
                .path("Statement");
        JsonNode read = conditional(verifierStatements, "ReadProofStream");
        assertEquals("ProofStream.Arn", read.path("Resource").asText());
        Set<String> reads = Set.of("kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:ListShards",
                "kinesis:GetShardIterator", "kinesis:GetRecords");
        assertTrue(reads.containsAll(texts(read.path("Action"))), "only Lambda's stream reads: " + read.path("Action"));
        JsonNode report = conditional(verifierStatements, "ReportDiscardedRecords");
        assertEquals(List.of("sqs:SendMessage"), texts(report.path("Action")));
        assertEquals("ProofStreamFailureQueue.Arn", report.path("Resource").asText());
    }

    /** The statement with {@code sid} inside {@code !If [UseKinesisIngest, statement, !Ref AWS::NoValue]}. */
    private static JsonNode conditional(JsonNode statements, String sid) {
        for (JsonNode s : statements) {
            if (s.isArray() && s.size() == 3 && sid.equals(s.path(1).path("Sid").asText())) {
                assertEquals(KINESIS, s.path(0).asText(), sid);
                assertEquals("AWS::NoValue", s.path(2).asText(), sid);
                return s.path(1);
            }
        }
        throw new AssertionError("no statement " + sid + " guarded by " + KINESIS + " in " + statements);
    }

    /** A list's items as text; a scalar as a one-item list (IAM's Action may be either). */
    private static List<String> texts(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node.isValueNode()) {
            out.add(node.asText());
        } else {
            node.forEach(n -> out.add(n.asText()));
        }
        return out;
    }
}
