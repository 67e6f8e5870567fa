package dev.flywheel.dynamodb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Creates the DynamoDB tables that {@code template.yaml} declares, from the template itself, so the
 * devnet and the tests run on exactly the keys and indexes production gets. It reads the plain
 * table properties (keys, attributes, GSIs, billing) and resolves {@code !Sub '${AWS::StackName}-x'} names.
 */
public final class TemplateTables {
    private TemplateTables() {
    }

    public record TableDefinition(String logicalId, CreateTableRequest request) {
    }

    public static List<TableDefinition> read(Path template, String stackName) throws IOException {
        JsonNode resources = new ObjectMapper(new YAMLFactory()).readTree(template.toFile()).path("Resources");
        List<TableDefinition> tables = new ArrayList<>();
        for (var it = resources.fields(); it.hasNext(); ) {
            var entry = it.next();
            JsonNode resource = entry.getValue();
            if (!"AWS::DynamoDB::Table".equals(resource.path("Type").asText())) {
                continue;
            }
            JsonNode p = resource.path("Properties");
            String name = p.path("TableName").asText().replace("${AWS::StackName}", stackName);
            CreateTableRequest.Builder request = CreateTableRequest.builder()
                    .tableName(name)
                    .billingMode(BillingMode.PAY_PER_REQUEST)
                    .keySchema(keys(p.path("KeySchema")))
                    .attributeDefinitions(p.path("AttributeDefinitions").findParents("AttributeName").stream()
                            .map(a -> AttributeDefinition.builder().attributeName(a.path("AttributeName").asText())
                                    .attributeType(a.path("AttributeType").asText()).build())
                            .toList());
            List<GlobalSecondaryIndex> gsis = new ArrayList<>();
            for (JsonNode g : p.path("GlobalSecondaryIndexes")) {
                gsis.add(GlobalSecondaryIndex.builder()
                        .indexName(g.path("IndexName").asText())
                        .keySchema(keys(g.path("KeySchema")))
                        .projection(projection(g.path("Projection")))
                        .build());
            }
            if (!gsis.isEmpty()) {
                request.globalSecondaryIndexes(gsis);
            }
            tables.add(new TableDefinition(entry.getKey(), request.build()));
        }
        return tables;
    }

    private static Projection projection(JsonNode p) {
        Projection.Builder b = Projection.builder().projectionType(p.path("ProjectionType").asText("ALL"));
        if (p.has("NonKeyAttributes")) {
            List<String> attributes = new ArrayList<>();
            p.path("NonKeyAttributes").forEach(a -> attributes.add(a.asText()));
            b.nonKeyAttributes(attributes);
        }
        return b.build();
    }

    /** Creates every table that does not exist yet and waits until each is active. */
    public static List<String> createAll(DynamoDbClient dynamo, Path template, String stackName) throws IOException {
        List<String> names = new ArrayList<>();
        for (TableDefinition table : read(template, stackName)) {
            try {
                dynamo.createTable(table.request());
            } catch (ResourceInUseException exists) {
                // idempotent: the devnet may be provisioned more than once
            }
            dynamo.waiter().waitUntilTableExists(b -> b.tableName(table.request().tableName()));
            names.add(table.request().tableName());
        }
        return names;
    }

    private static List<KeySchemaElement> keys(JsonNode schema) {
        List<KeySchemaElement> keys = new ArrayList<>();
        for (JsonNode k : schema) {
            keys.add(KeySchemaElement.builder().attributeName(k.path("AttributeName").asText())
                    .keyType(k.path("KeyType").asText()).build());
        }
        return keys;
    }
}
