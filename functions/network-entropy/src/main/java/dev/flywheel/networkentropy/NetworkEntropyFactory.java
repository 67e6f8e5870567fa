package dev.flywheel.networkentropy;

import dev.flywheel.core.entropy.EntropyBeacon;
import dev.flywheel.dynamodb.DynamoChallengeLedger;
import dev.flywheel.dynamodb.DynamoDeviceRegistry;
import dev.flywheel.dynamodb.DynamoEntropyLedger;
import dev.flywheel.function.IotDataPlanePublisher;
import dev.flywheel.function.SecretValues;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.time.Clock;
import java.time.Duration;

/**
 * Wires the entropy function. Properties (environment variables in brackets):
 * {@code flywheel.entropy.table} [FLYWHEEL_ENTROPY_TABLE], {@code flywheel.entropy.network-id}
 * [FLYWHEEL_ENTROPY_NETWORK_ID] (default {@code flywheel}), {@code flywheel.entropy.period-seconds} (60),
 * {@code flywheel.entropy.retention-seconds} (86400), {@code flywheel.entropy.block-tag} ({@code finalized}),
 * {@code flywheel.chain.rpc-secret-id} [FLYWHEEL_CHAIN_RPC_SECRET_ID], and {@code flywheel.iot-data.endpoint}
 * [FLYWHEEL_IOT_DATA_ENDPOINT] (blank: values are stored but not published). Uptime challenges are issued when
 * both {@code flywheel.devices.table} [FLYWHEEL_DEVICES_TABLE] and {@code flywheel.challenges.table}
 * [FLYWHEEL_CHALLENGES_TABLE] are set ({@code flywheel.challenges.retention-seconds}, default 86400).
 */
@Factory
public class NetworkEntropyFactory {
    private static final Logger LOG = LoggerFactory.getLogger(NetworkEntropyFactory.class);

    @Singleton
    EntropyBeacon entropyBeacon(@Value("${flywheel.entropy.network-id:flywheel}") String networkId,
                                @Value("${flywheel.entropy.period-seconds:60}") long periodSeconds) {
        return new EntropyBeacon(networkId, Duration.ofSeconds(periodSeconds));
    }

    @Singleton
    DynamoEntropyLedger entropyLedger(DynamoDbClient dynamo,
                                      @Value("${flywheel.entropy.table}") String table,
                                      @Value("${flywheel.entropy.retention-seconds:86400}") long retentionSeconds) {
        return new DynamoEntropyLedger(dynamo, table, Duration.ofSeconds(retentionSeconds));
    }

    @Singleton
    ChainHead chainHead(SecretValues secrets,
                        @Value("${flywheel.chain.rpc-secret-id}") String rpcSecretId,
                        @Value("${flywheel.entropy.block-tag:finalized}") String tag) {
        return new Web3jChainHead(() -> secrets.get(rpcSecretId), tag);
    }

    @Singleton
    @Bean(preDestroy = "close")
    PublisherHolder publisher(@Value("${flywheel.iot-data.endpoint:}") String endpoint) {
        if (endpoint == null || endpoint.isBlank()) {
            LOG.info("entropy is stored but not published: flywheel.iot-data.endpoint (FLYWHEEL_IOT_DATA_ENDPOINT) is not set");
            return new PublisherHolder(null);
        }
        return new PublisherHolder(IotDataPlanePublisher.forEndpoint(endpoint));
    }

    @Singleton
    EntropyPublication entropyPublication(ChainHead chain, EntropyBeacon beacon, DynamoEntropyLedger ledger,
                                          PublisherHolder publisher, DynamoDbClient dynamo,
                                          @Value("${flywheel.devices.table:}") String devicesTable,
                                          @Value("${flywheel.challenges.table:}") String challengesTable,
                                          @Value("${flywheel.challenges.retention-seconds:86400}") long challengeRetentionSeconds) {
        ChallengeIssuer issuer = null;
        if (devicesTable.isBlank() || challengesTable.isBlank()) {
            LOG.info("no uptime challenges are issued: flywheel.devices.table and flywheel.challenges.table are not both set");
        } else {
            issuer = new ChallengeIssuer(new DynamoDeviceRegistry(dynamo, devicesTable),
                    new DynamoChallengeLedger(dynamo, challengesTable, Duration.ofSeconds(challengeRetentionSeconds)),
                    publisher.publisher(), Clock.systemUTC());
        }
        return new EntropyPublication(chain, beacon, ledger, publisher.publisher(), issuer);
    }

    /** The optional publisher as a bean (Micronaut beans cannot be null). */
    public record PublisherHolder(IotDataPlanePublisher publisher) implements AutoCloseable {
        @Override
        public void close() {
            if (publisher != null) {
                publisher.close();
            }
        }
    }
}
