package dev.flywheel.testing;

import dev.flywheel.dynamodb.TableNames;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The table setup the DynamoDB ITs share: before the class's {@code @BeforeAll} methods, a client on the devnet's moto
 * ({@link MotoDynamo#client()}) and the template's tables under a stack of the class's own; after the class, the
 * tables dropped (the template's extra ones too) and the client closed. Register it on a static field:
 * <pre>{@code @RegisterExtension static final MotoTables MOTO = new MotoTables();}</pre>
 */
public final class MotoTables implements BeforeAllCallback, AfterAllCallback {
    private DynamoDbClient dynamo;
    private TableNames tables;

    @Override
    public void beforeAll(ExtensionContext context) {
        dynamo = MotoDynamo.client();
        tables = MotoDynamo.createTables(dynamo);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        MotoDynamo.deleteTables(dynamo, tables);
        if (dynamo != null) {
            dynamo.close();
        }
    }

    public DynamoDbClient dynamo() {
        return dynamo;
    }

    public TableNames tables() {
        return tables;
    }

    /** A table the template declares beyond the five, by its suffix: {@code table("challenges")}, {@code table("entropy")}. */
    public String table(String suffix) {
        return tables.devices().replaceFirst("devices$", suffix);
    }
}
