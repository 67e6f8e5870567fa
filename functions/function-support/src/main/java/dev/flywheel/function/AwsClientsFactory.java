package dev.flywheel.function;

import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * AWS clients shared by the functions. The URL-connection HTTP client starts faster than Apache or
 * Netty (cold starts matter); endpoints come from the SDK's standard chain, so {@code AWS_ENDPOINT_URL}
 * points the same code at moto or LocalStack. {@link PrimingInterceptor} lets {@link Priming} exercise them
 * before a SnapStart snapshot without sending anything.
 */
@Factory
public class AwsClientsFactory {

    @Singleton
    DynamoDbClient dynamoDb() {
        return DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(o -> o.addExecutionInterceptor(PrimingInterceptor.INSTANCE)).build();
    }

    @Singleton
    SecretsManagerClient secretsManager() {
        return SecretsManagerClient.builder().httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(o -> o.addExecutionInterceptor(PrimingInterceptor.INSTANCE)).build();
    }
}
