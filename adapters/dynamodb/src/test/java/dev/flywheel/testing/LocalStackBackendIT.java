package dev.flywheel.testing;

import dev.flywheel.dynamodb.TemplateTables;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.testcontainers.localstack.LocalStackContainer;
import org.testcontainers.utility.DockerImageName;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pinned LocalStack Community image starts without an auth token and takes the template's tables. Runs where a
 * Docker engine answers; skipped, with the reason printed, where none does (the project's build machines). The
 * other ITs run on LocalStack too in that case ({@link AwsBackend}).
 */
class LocalStackBackendIT {

    @Test
    void pinnedCommunityImageTakesTheTemplatesTables() throws Exception {
        String problem = AwsBackend.dockerProblem();
        if (problem != null) {
            System.out.println("[aws-backend] LocalStackBackendIT skipped: " + problem + " (image " + AwsBackend.LOCALSTACK_IMAGE + ")");
        }
        Assumptions.assumeTrue(problem == null, () -> "LocalStack " + AwsBackend.LOCALSTACK_IMAGE + " not run: " + problem);
        try (var localstack = new LocalStackContainer(DockerImageName.parse(AwsBackend.LOCALSTACK_IMAGE)).withServices("dynamodb")) {
            localstack.start();
            try (DynamoDbClient dynamo = DynamoDbClient.builder().endpointOverride(localstack.getEndpoint())
                    .region(Region.of(localstack.getRegion()))
                    .credentialsProvider(StaticCredentialsProvider.create(
                            AwsBasicCredentials.create(localstack.getAccessKey(), localstack.getSecretKey())))
                    .httpClient(UrlConnectionHttpClient.create()).build()) {
                List<String> created = TemplateTables.createAll(dynamo, MotoDynamo.template(), "ls-check");
                List<String> listed = dynamo.listTables().tableNames();
                assertTrue(!created.isEmpty() && listed.containsAll(created), "created " + created + ", listed " + listed);
            }
        }
    }
}
