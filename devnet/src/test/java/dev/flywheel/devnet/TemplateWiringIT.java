package dev.flywheel.devnet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The devnet against template.yaml: the queues it creates on moto carry the template's visibility timeout,
 * retention and redrive policy (to the right dead-letter queue), and its broker bridge is wired as the
 * template's ingest rule (topic filter, SELECT fields, action and error-action queues). The tables are
 * TemplateTables' (adapters/dynamodb), checked by its own tests.
 */
class TemplateWiringIT {
    private static final Path TEMPLATE = DevnetConfig.findRepoRoot(Path.of("").toAbsolutePath()).resolve("template.yaml");

    @Test
    void queuesOnTheDevnetMatchTheTemplate() throws Exception {
        JsonNode resources = new ObjectMapper(new YAMLFactory()).readTree(TEMPLATE.toFile()).path("Resources");
        String stack = "it-wiring-" + UUID.randomUUID().toString().substring(0, 8);
        try (SqsClient sqs = SqsClient.builder().httpClient(UrlConnectionHttpClient.create()).build()) {
            Map<String, String> urls = TemplateQueues.createAll(sqs, TEMPLATE, stack);
            try {
                int queues = 0;
                for (var e : resources.properties()) {
                    if (!"AWS::SQS::Queue".equals(e.getValue().path("Type").asText())) {
                        continue;
                    }
                    queues++;
                    String id = e.getKey();
                    JsonNode p = e.getValue().path("Properties");
                    String url = urls.get(id);
                    assertNotNull(url, "the devnet did not create " + id);
                    Map<QueueAttributeName, String> actual = sqs.getQueueAttributes(b -> b.queueUrl(url)
                            .attributeNames(QueueAttributeName.ALL)).attributes();
                    if (p.has("VisibilityTimeout")) {
                        assertEquals(p.path("VisibilityTimeout").asText(), actual.get(QueueAttributeName.VISIBILITY_TIMEOUT), id);
                    }
                    if (p.has("MessageRetentionPeriod")) {
                        assertEquals(p.path("MessageRetentionPeriod").asText(), actual.get(QueueAttributeName.MESSAGE_RETENTION_PERIOD), id);
                    }
                    JsonNode redrive = p.path("RedrivePolicy");
                    if (!redrive.isMissingNode()) {
                        JsonNode devnet = new ObjectMapper().readTree(actual.get(QueueAttributeName.REDRIVE_POLICY));
                        assertEquals(redrive.path("maxReceiveCount").asInt(), devnet.path("maxReceiveCount").asInt(), id);
                        String targetId = redrive.path("deadLetterTargetArn").asText().replace(".Arn", "");
                        String targetArn = sqs.getQueueAttributes(b -> b.queueUrl(urls.get(targetId))
                                .attributeNames(QueueAttributeName.QUEUE_ARN)).attributes().get(QueueAttributeName.QUEUE_ARN);
                        assertEquals(targetArn, devnet.path("deadLetterTargetArn").asText(), id + " redrives elsewhere");
                    } else {
                        assertTrue(!actual.containsKey(QueueAttributeName.REDRIVE_POLICY), id + " has a redrive the template does not");
                    }
                }
                assertEquals(queues, urls.size(), "queues created vs declared: " + urls.keySet());
                assertTrue(queues >= 4, "expected at least the proof, dead-letter, ingest-error and schedule queues");
            } finally {
                urls.values().forEach(url -> sqs.deleteQueue(b -> b.queueUrl(url)));
            }
        }
    }

    @Test
    void theBrokerBridgeIsWiredAsTheIngestRule() throws Exception {
        TemplateQueues.IngestRule rule = TemplateQueues.ingestRule(TEMPLATE);
        assertEquals("flywheel/v1/+/proofs", rule.topicFilter());
        // LocalFunctionHost.forwardAsTopicRule emits these keys, and the verifier's RuleMessage reads them.
        assertEquals(List.of("payload", "thing", "topic", "receivedAt"), rule.fields());
        assertEquals("ProofQueue", rule.queueLogicalId());
        assertEquals("IngestErrorQueue", rule.errorQueueLogicalId());
        String host = java.nio.file.Files.readString(TEMPLATE.getParent().resolve(
                "devnet/src/main/java/dev/flywheel/devnet/LocalFunctionHost.java"));
        for (String field : rule.fields()) {
            assertTrue(host.contains("body.put(\"" + field + "\""), "the devnet's rule bridge does not emit " + field);
        }
    }
}
