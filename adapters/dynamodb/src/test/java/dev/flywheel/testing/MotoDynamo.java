package dev.flywheel.testing;

import dev.flywheel.dynamodb.TableNames;
import dev.flywheel.dynamodb.TemplateTables;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The DynamoDB of the integration tests: the real moto_server that {@code scripts/devnet up} (or
 * {@code scripts/test}) starts, or LocalStack when a Docker engine answers ({@link AwsBackend}), never a mock
 * and never AWS. Fails loudly, never skips, when the
 * endpoint is missing or is not a loopback address.
 *
 * <p>Shared with the function modules through this module's test-jar.
 */
public final class MotoDynamo {
    private MotoDynamo() {
    }

    /**
     * The AWS endpoint of the integration tests: LocalStack or moto, as {@link AwsBackend} chose (printed once).
     *
     * @throws IllegalStateException when moto is chosen and AWS_ENDPOINT_URL is unset, or any endpoint is not loopback
     */
    public static URI endpoint() {
        return AwsBackend.choose().endpoint();
    }

    /** The IoT control plane's endpoint: moto's, also when the rest runs on LocalStack (Community has no IoT). */
    public static URI iotEndpoint() {
        return AwsBackend.choose().iotEndpoint();
    }

    /**
     * Checks the environment the SDK (and the functions' own clients) will read and returns the moto endpoint.
     *
     * @throws IllegalStateException when AWS_ENDPOINT_URL is unset, or any endpoint is not loopback
     */
    static URI motoEndpoint() {
        String endpoint = System.getenv("AWS_ENDPOINT_URL");
        if (endpoint == null || endpoint.isBlank()) {
            throw new IllegalStateException("AWS_ENDPOINT_URL is not set: the *IT tests need the devnet's moto_server. "
                    + "Run `scripts/devnet up && source .devnet/env` before `mvn verify`, or use scripts/test.");
        }
        URI uri = requireLoopback("AWS_ENDPOINT_URL", endpoint);
        // The SDK prefers service-specific variables (AWS_ENDPOINT_URL_DYNAMODB, _IOT_DATA_PLANE, ...), and the
        // functions under test build their own clients from them: none may point anywhere but this machine.
        for (Map.Entry<String, String> e : new TreeMap<>(System.getenv()).entrySet()) {
            if (e.getKey().startsWith("AWS_ENDPOINT_URL_") && !e.getValue().isBlank()) {
                URI service = requireLoopback(e.getKey(), e.getValue());
                if (e.getKey().equals("AWS_ENDPOINT_URL_DYNAMODB")) {
                    uri = service;
                }
            }
        }
        String region = System.getenv("AWS_REGION");
        if (region == null || region.isBlank()) {
            throw new IllegalStateException("AWS_REGION is not set: source .devnet/env (scripts/devnet up writes it)");
        }
        return uri;
    }

    private static URI requireLoopback(String variable, String value) {
        URI uri;
        try {
            uri = URI.create(value.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(variable + "=" + value + " is not a URL", e);
        }
        if (uri.getHost() == null) {
            throw new IllegalStateException(variable + "=" + value + " has no host");
        }
        try {
            for (InetAddress address : InetAddress.getAllByName(uri.getHost())) {
                if (!address.isLoopbackAddress()) {
                    throw new IllegalStateException("refusing to run integration tests against " + variable + "=" + value
                            + ": " + address + " is not a loopback address (these tests create and delete tables; "
                            + "they only ever talk to a local moto_server)");
                }
            }
        } catch (UnknownHostException e) {
            throw new IllegalStateException(variable + "=" + value + ": unknown host", e);
        }
        return uri;
    }

    /** A client for moto; the dummy credentials come from the environment (.devnet/env). */
    public static DynamoDbClient client() {
        return clientBuilder().build();
    }

    /** {@link #client()}'s builder, for a test that adds to it (an interceptor that counts requests, say). */
    public static software.amazon.awssdk.services.dynamodb.DynamoDbClientBuilder clientBuilder() {
        return DynamoDbClient.builder()
                .endpointOverride(endpoint())
                .region(Region.of(System.getProperty("aws.region", System.getenv("AWS_REGION"))))
                .httpClient(UrlConnectionHttpClient.create());
    }

    /** template.yaml, found by walking up from the working directory (a module dir under Maven). */
    public static Path template() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            Path candidate = d.resolve("template.yaml");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("no template.yaml in " + dir + " or any parent directory");
    }

    /** Creates the template's five tables under a fresh stack name ("it-" + random), so test classes never share state. */
    public static TableNames createTables(DynamoDbClient dynamo) {
        String stack = "it-" + UUID.randomUUID().toString().substring(0, 12);
        try {
            List<String> created = TemplateTables.createAll(dynamo, template(), stack);
            TableNames names = TableNames.forStack(stack);
            for (String expected : List.of(names.devices(), names.ledger(), names.epochs(), names.rewards(), names.settlements())) {
                if (!created.contains(expected)) {
                    throw new IllegalStateException("template.yaml did not declare table " + expected + "; created " + created);
                }
            }
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Best effort: keeps a long-lived moto_server from accumulating test tables. */
    public static void deleteTables(DynamoDbClient dynamo, TableNames names) {
        if (dynamo == null || names == null) {
            return;
        }
        List<String> all = new java.util.ArrayList<>(List.of(names.devices(), names.ledger(), names.epochs(), names.rewards(), names.settlements()));
        // Tables the template declares beyond the five (entropy, challenges, ...) share the stack prefix.
        String prefix = names.devices().replaceFirst("devices$", "");
        try {
            dynamo.listTablesPaginator(b -> b.build()).tableNames().stream()
                    .filter(t -> t.startsWith(prefix) && !all.contains(t)).forEach(all::add);
        } catch (RuntimeException ignored) {
            // listing is best effort too
        }
        for (String table : all) {
            try {
                dynamo.deleteTable(b -> b.tableName(table));
            } catch (RuntimeException ignored) {
                // already gone, or moto restarted: nothing to clean
            }
        }
    }
}
