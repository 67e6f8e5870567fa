package dev.flywheel.function;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Priming exercises the SDK clients up to the wire and sends nothing. */
class PrimingTest {

    @Test
    void primesEveryStepWithoutSendingARequest() throws IOException {
        try (ServerSocket listener = new ServerSocket(0)) {
            URI endpoint = URI.create("http://127.0.0.1:" + listener.getLocalPort());
            var credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("priming", "priming"));
            try (DynamoDbClient dynamo = DynamoDbClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                    .credentialsProvider(credentials).httpClient(UrlConnectionHttpClient.create())
                    .overrideConfiguration(o -> o.addExecutionInterceptor(PrimingInterceptor.INSTANCE)).build();
                 SecretsManagerClient secrets = SecretsManagerClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                         .credentialsProvider(credentials).httpClient(UrlConnectionHttpClient.create())
                         .overrideConfiguration(o -> o.addExecutionInterceptor(PrimingInterceptor.INSTANCE)).build()) {
                Priming.Report report = new Priming(() -> dynamo, () -> secrets, () -> JsonMapperSettings.configure(new ObjectMapper())).prime();

                assertEquals(List.of(), report.failed());
                assertEquals(List.of("dynamodb", "secretsmanager", "signatures", "jackson"), report.primed());
                // Nothing connected: the listener has no pending connection.
                listener.setSoTimeout(200);
                assertThrows(SocketTimeoutException.class, listener::accept);
            }
        }
    }
}
