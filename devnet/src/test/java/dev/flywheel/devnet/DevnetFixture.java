package dev.flywheel.devnet;

import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * What the devnet module's ITs share: the running devnet ({@code scripts/test}'s environment) under a stack
 * of the test's own, with a host port picked per test (0), so tests and a demo beside them never share tables,
 * queues or ports; and the AWS clients a host needs.
 */
final class DevnetFixture {
    private DevnetFixture() {
    }

    /** The environment's devnet under a fresh stack name {@code <prefix><nanos>} and no fixed host port. */
    static DevnetConfig freshStack(String prefix) {
        DevnetConfig env = DevnetConfig.fromEnvironment(System.getenv());
        return new DevnetConfig(env.repoRoot(), prefix + System.nanoTime(), env.mqtt(), env.caCert(), env.caKey(),
                env.rulesEngineCert(), env.rulesEngineKey(), env.certsDir(), env.chainRpc(), env.chainId(),
                env.operatorKeyFile(), env.ownerKeyFile(), 0);
    }

    /** DynamoDB, SQS and Secrets Manager clients on the devnet's moto (AWS_ENDPOINT_URL), closed together. */
    record Clients(DynamoDbClient dynamo, SqsClient sqs, SecretsManagerClient secrets) implements AutoCloseable {
        static Clients open() {
            return new Clients(DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create()).build(),
                    SqsClient.builder().httpClient(UrlConnectionHttpClient.create()).build(),
                    SecretsManagerClient.builder().httpClient(UrlConnectionHttpClient.create()).build());
        }

        @Override
        public void close() {
            dynamo.close();
            sqs.close();
            secrets.close();
        }
    }
}
