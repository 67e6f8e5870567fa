package dev.flywheel.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AccessKey;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The narrowed roles are enough: each function's sample event runs, from its jar, as an IAM user that holds exactly
 * the actions of the function's role (read from the template after the SAM transform), on a private moto_server
 * that enforces IAM. A missing action fails the invocation with AccessDenied.
 *
 * <p>Limits of the stand-in, said here so the test is not read as more than it is: moto checks actions, not
 * resources (every statement is evaluated as if its Resource were {@code *}; the resources are held by
 * {@link PolicyCheck}), and it authorizes a transaction as {@code dynamodb:TransactWriteItems}, an action IAM
 * does not have (IAM checks each item's PutItem/UpdateItem/DeleteItem/ConditionCheckItem), so the user also gets
 * that name when the role has an item-write action. Each sample exercises its function's usual path, not every
 * branch (the verifier's sample is a device the registry does not know: a recorded rejection).
 */
class IamActionsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> ITEM_WRITES = Set.of("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
            "dynamodb:ConditionCheckItem");

    private static Process moto;
    private static URI endpoint;
    private static Sandbox sandbox;
    private static IamClient iam;
    private static JsonNode transformed;

    @BeforeAll
    static void setUp() throws Exception {
        Path motoServer = CfnLintTest.onPath("moto_server");
        Assumptions.assumeTrue(motoServer != null, "moto_server is not on PATH: skipped");
        transformed = SamTransformPolicyTest.transform();
        Assumptions.assumeTrue(transformed != null, "python3 with samtranslator is not available: skipped");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        endpoint = URI.create("http://127.0.0.1:" + port);
        moto = new ProcessBuilder(motoServer.toString(), "-H", "127.0.0.1", "-p", Integer.toString(port))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        waitForMoto();
        var admin = StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing"));
        DynamoDbClient dynamo = DynamoDbClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                .credentialsProvider(admin).httpClient(UrlConnectionHttpClient.create()).build();
        sandbox = new Sandbox(dynamo, endpoint);
        iam = IamClient.builder().endpointOverride(endpoint).region(Region.AWS_GLOBAL).credentialsProvider(admin)
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    @AfterAll
    static void tearDown() {
        if (moto != null) {
            moto.destroy();
        }
    }

    @Test
    void everyFunctionRunsWithOnlyItsRolesActions() throws Exception {
        Template template = Template.load();
        Map<String, AccessKey> keys = new LinkedHashMap<>();
        Map<String, Set<String>> actionsByFunction = new LinkedHashMap<>();
        for (FunctionArtifact f : FunctionArtifact.all(template)) {
            if (keys.containsKey(f.logicalId())) {
                continue; // another entry point of the same function: one role, one user
            }
            Set<String> actions = roleActions(f.logicalId());
            assertFalse(actions.isEmpty(), f.logicalId() + ": no role actions after the SAM transform");
            actionsByFunction.put(f.logicalId(), actions);
            Set<String> granted = new TreeSet<>(actions);
            if (actions.stream().anyMatch(ITEM_WRITES::contains)) {
                granted.add("dynamodb:TransactWriteItems"); // moto's name for a transaction, see the class comment
            }
            String user = "fn-" + f.logicalId();
            iam.createUser(b -> b.userName(user));
            String policy = JSON.writeValueAsString(Map.of("Version", "2012-10-17", "Statement", List.of(
                    Map.of("Effect", "Allow", "Action", List.copyOf(granted), "Resource", "*"))));
            iam.putUserPolicy(b -> b.userName(user).policyName("role-actions").policyDocument(policy));
            keys.put(f.logicalId(), iam.createAccessKey(b -> b.userName(user)).accessKey());
        }
        iam.createUser(b -> b.userName("no-dynamodb"));
        iam.putUserPolicy(b -> b.userName("no-dynamodb").policyName("nothing").policyDocument(
                "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"sqs:GetQueueUrl\",\"Resource\":\"*\"}]}"));
        AccessKey none = iam.createAccessKey(b -> b.userName("no-dynamodb")).accessKey();
        // From here on moto authorizes every request against the caller's policies.
        post("/moto-api/reset-auth", "0");
        // Enforcement is on: a user without dynamodb:GetItem is refused.
        try (DynamoDbClient refused = DynamoDbClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(none.accessKeyId(), none.secretAccessKey())))
                .httpClient(UrlConnectionHttpClient.create()).build()) {
            var denied = org.junit.jupiter.api.Assertions.assertThrows(software.amazon.awssdk.awscore.exception.AwsServiceException.class,
                    () -> refused.getItem(b -> b.tableName(sandbox.tables.devices()).key(Map.of("deviceId",
                            software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("x")))));
            assertEquals(403, denied.statusCode(), denied.toString());
        }
        List<String> problems = new ArrayList<>();
        for (FunctionArtifact f : FunctionArtifact.all(template)) {
            AccessKey key = keys.get(f.logicalId());
            Map<String, String> props = new LinkedHashMap<>(sandbox.properties(f.logicalId()));
            props.put("aws.endpointUrl", endpoint.toString());
            props.put("aws.region", "us-east-1");
            props.put("aws.accessKeyId", key.accessKeyId());
            props.put("aws.secretAccessKey", key.secretAccessKey());
            for (Path event : f.events()) {
                String answer;
                try {
                    answer = JarInvoker.invoke(f, event, props).toString();
                } catch (Exception e) {
                    answer = "threw " + rootCause(e);
                }
                System.out.printf("%-24s %-3d actions -> %s%n", f.label(), actionsByFunction.get(f.logicalId()).size(),
                        answer.length() > 140 ? answer.substring(0, 137) + "..." : answer);
                if (answer.contains("AccessDenied") || answer.contains("not authorized") || answer.startsWith("threw")
                        || answer.contains("\"batchItemFailures\":[{") || answer.contains("coverageError")
                        || answer.contains("\"statusCode\":5")) {
                    problems.add(f.logicalId() + " " + event.getFileName() + ": " + answer);
                }
            }
        }
        post("/moto-api/reset-auth", "1e9"); // back to open, for the sandbox's clean-up
        assertEquals(List.of(), problems, "functions that failed with only their role's actions:\n" + String.join("\n", problems));
    }

    /** Every action an Allow statement of the function's generated role names (inline policies only). */
    private static Set<String> roleActions(String function) {
        Set<String> actions = new TreeSet<>();
        JsonNode role = transformed.path("Resources").path(function + "Role");
        assertTrue(role.isObject(), "no " + function + "Role after the SAM transform");
        for (JsonNode policy : role.path("Properties").path("Policies")) {
            List<JsonNode> statements = new ArrayList<>();
            for (JsonNode statement : policy.path("PolicyDocument").path("Statement")) {
                // A conditional statement ({"Fn::If": [condition, statement, AWS::NoValue]}): granted in its mode.
                JsonNode conditional = statement.path("Fn::If");
                if (conditional.isArray()) {
                    conditional.forEach(statements::add);
                } else {
                    statements.add(statement);
                }
            }
            for (JsonNode statement : statements) {
                if ("Allow".equals(statement.path("Effect").asText())) {
                    JsonNode a = statement.path("Action");
                    if (a.isTextual()) {
                        actions.add(a.asText());
                    } else {
                        a.forEach(x -> actions.add(x.asText()));
                    }
                }
            }
        }
        // The SettlerKmsSignerPolicy is a separate AWS::IAM::RolePolicy, conditional on a KMS key: not used here.
        return actions;
    }

    private static String rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.toString();
    }

    private static void waitForMoto() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                HttpURLConnection c = (HttpURLConnection) endpoint.resolve("/moto-api/").toURL().openConnection();
                c.setConnectTimeout(500);
                if (c.getResponseCode() > 0) {
                    return;
                }
            } catch (IOException notYet) {
                TimeUnit.MILLISECONDS.sleep(200);
            }
        }
        throw new IllegalStateException("moto_server did not answer at " + endpoint);
    }

    private static void post(String path, String body) throws IOException {
        HttpURLConnection c = (HttpURLConnection) endpoint.resolve(path).toURL().openConnection();
        c.setRequestMethod("POST");
        c.setRequestProperty("Content-Type", "text/plain"); // not form-encoded: moto reads the raw body
        c.setDoOutput(true);
        c.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
        assertEquals(200, c.getResponseCode(), path);
    }
}
