package dev.flywheel.devnet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The SQS queues and the proof ingest rule's wiring, read from {@code template.yaml} itself (as
 * {@link dev.flywheel.dynamodb.TemplateTables} reads the tables), so the devnet cannot drift from what AWS gets:
 * each {@code AWS::SQS::Queue} with its visibility timeout, retention and redrive policy, and the rule's topic
 * filter, SELECT fields, action queue and error-action queue. Queue names are {@code <stack>-<logical id in
 * kebab case>} (CloudFormation generates them on AWS).
 */
public final class TemplateQueues {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern FROM = Pattern.compile("FROM\\s+'([^']+)'", Pattern.CASE_INSENSITIVE);
    private static final Pattern AS = Pattern.compile("\\bAS\\s+([A-Za-z_][A-Za-z0-9_]*)", Pattern.CASE_INSENSITIVE);

    private TemplateQueues() {
    }

    /** One queue: its attributes as the template sets them; the dead-letter target by logical id. */
    public record QueueDefinition(String logicalId, String name, Map<QueueAttributeName, String> attributes,
                                  String deadLetterLogicalId, int maxReceiveCount) {
    }

    /** The proof ingest rule: what the devnet's broker bridge subscribes to, emits, and where it sends it. */
    public record IngestRule(String logicalId, String topicFilter, List<String> fields, String queueLogicalId,
                             String errorQueueLogicalId) {
    }

    public static List<QueueDefinition> read(Path template, String stackName) throws IOException {
        List<QueueDefinition> out = new ArrayList<>();
        for (var e : resources(template).properties()) {
            JsonNode r = e.getValue();
            if (!"AWS::SQS::Queue".equals(r.path("Type").asText())) {
                continue;
            }
            JsonNode p = r.path("Properties");
            Map<QueueAttributeName, String> attributes = new EnumMap<>(QueueAttributeName.class);
            if (p.has("VisibilityTimeout")) {
                attributes.put(QueueAttributeName.VISIBILITY_TIMEOUT, p.path("VisibilityTimeout").asText());
            }
            if (p.has("MessageRetentionPeriod")) {
                attributes.put(QueueAttributeName.MESSAGE_RETENTION_PERIOD, p.path("MessageRetentionPeriod").asText());
            }
            JsonNode redrive = p.path("RedrivePolicy");
            String deadLetter = redrive.isMissingNode() ? null : logicalIdOfArn(redrive.path("deadLetterTargetArn").asText());
            out.add(new QueueDefinition(e.getKey(), stackName + "-" + kebab(e.getKey()), attributes, deadLetter,
                    redrive.path("maxReceiveCount").asInt(0)));
        }
        return out;
    }

    /** Creates every queue (dead-letter targets first) and returns logical id -> queue URL. Idempotent. */
    public static Map<String, String> createAll(SqsClient sqs, Path template, String stackName) throws IOException {
        List<QueueDefinition> queues = read(template, stackName);
        Map<String, String> urls = new LinkedHashMap<>();
        for (boolean withRedrive : new boolean[]{false, true}) {
            for (QueueDefinition q : queues) {
                if ((q.deadLetterLogicalId() != null) != withRedrive) {
                    continue;
                }
                Map<QueueAttributeName, String> attributes = new EnumMap<>(q.attributes());
                if (withRedrive) {
                    String target = urls.get(q.deadLetterLogicalId());
                    if (target == null) {
                        throw new IllegalStateException(q.logicalId() + ": dead-letter target " + q.deadLetterLogicalId()
                                + " is not a queue of the template");
                    }
                    String arn = sqs.getQueueAttributes(b -> b.queueUrl(target).attributeNames(QueueAttributeName.QUEUE_ARN))
                            .attributes().get(QueueAttributeName.QUEUE_ARN);
                    attributes.put(QueueAttributeName.REDRIVE_POLICY,
                            "{\"deadLetterTargetArn\":\"" + arn + "\",\"maxReceiveCount\":\"" + q.maxReceiveCount() + "\"}");
                }
                urls.put(q.logicalId(), sqs.createQueue(b -> b.queueName(q.name()).attributes(attributes)).queueUrl());
            }
        }
        return urls;
    }

    /** The template's one {@code AWS::IoT::TopicRule} with an SQS action. */
    public static IngestRule ingestRule(Path template) throws IOException {
        for (var e : resources(template).properties()) {
            JsonNode r = e.getValue();
            if (!"AWS::IoT::TopicRule".equals(r.path("Type").asText())) {
                continue;
            }
            JsonNode payload = r.path("Properties").path("TopicRulePayload");
            String sql = payload.path("Sql").asText();
            Matcher from = FROM.matcher(sql);
            if (!from.find()) {
                throw new IllegalStateException(e.getKey() + ": no FROM '<topic filter>' in " + sql);
            }
            List<String> fields = new ArrayList<>();
            Matcher as = AS.matcher(sql.substring(0, from.start()));
            while (as.find()) {
                fields.add(as.group(1));
            }
            String queue = payload.path("Actions").findValue("QueueUrl").asText();
            String errorQueue = payload.path("ErrorAction").path("Sqs").path("QueueUrl").asText();
            return new IngestRule(e.getKey(), from.group(1), List.copyOf(fields), queue, errorQueue);
        }
        throw new IllegalStateException("template.yaml declares no AWS::IoT::TopicRule");
    }

    /** {@code !GetAtt X.Arn} reads as {@code "X.Arn"}. */
    private static String logicalIdOfArn(String getAtt) {
        return getAtt.endsWith(".Arn") ? getAtt.substring(0, getAtt.length() - 4) : getAtt;
    }

    static String kebab(String logicalId) {
        return logicalId.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    private static JsonNode resources(Path template) throws IOException {
        return YAML.readTree(template.toFile()).path("Resources");
    }
}
