package dev.flywheel.devnet;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flywheel.dynamodb.TemplateTables;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code java ... dev.flywheel.devnet.TemplateResources <stack name>}: creates the template's tables and queues on
 * whatever endpoint the SDK's default chain names ({@code AWS_ENDPOINT_URL}: moto or LocalStack) and prints them as
 * one JSON object. {@code scripts/localstack up} uses it where {@code samlocal} cannot deploy the template (the
 * IoT resources need LocalStack Pro).
 */
public final class TemplateResources {
    private TemplateResources() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1 || args[0].isBlank()) {
            System.err.println("usage: TemplateResources <stack name>");
            System.exit(2);
        }
        String stack = args[0];
        Path template = DevnetConfig.findRepoRoot(Path.of("").toAbsolutePath()).resolve("template.yaml");
        try (DynamoDbClient dynamo = DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create()).build();
             SqsClient sqs = SqsClient.builder().httpClient(UrlConnectionHttpClient.create()).build()) {
            List<String> tables = TemplateTables.createAll(dynamo, template, stack);
            Map<String, String> queues = TemplateQueues.createAll(sqs, template, stack);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("stack", stack);
            out.put("tables", tables);
            out.put("queues", queues);
            out.put("ingestRule", TemplateQueues.ingestRule(template));
            System.out.println(new ObjectMapper().writeValueAsString(out));
        }
    }
}
