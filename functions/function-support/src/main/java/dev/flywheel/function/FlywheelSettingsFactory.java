package dev.flywheel.function;

import dev.flywheel.core.epoch.EpochClock;
import dev.flywheel.core.network.NetworkConfig;
import dev.flywheel.core.network.NetworkConfigLoader;
import dev.flywheel.core.verify.RateLimit;
import dev.flywheel.core.verify.VerificationPolicy;
import dev.flywheel.dynamodb.DynamoEpochLedger;
import dev.flywheel.dynamodb.DynamoProofLedger;
import dev.flywheel.dynamodb.TableNames;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * Settings and ledgers every function shares. Micronaut maps environment variables to these properties
 * ({@code FLYWHEEL_EPOCH_SECONDS} is {@code flywheel.epoch.seconds}); the local function host
 * passes the same properties directly.
 */
@Factory
public class FlywheelSettingsFactory {

    @Singleton
    TableNames tableNames(@Value("${flywheel.devices.table}") String devices,
                          @Value("${flywheel.ledger.table}") String ledger,
                          @Value("${flywheel.epochs.table}") String epochs,
                          @Value("${flywheel.rewards.table}") String rewards,
                          @Value("${flywheel.settlements.table}") String settlements) {
        return new TableNames(devices, ledger, epochs, rewards, settlements);
    }

    /**
     * The network configuration: the file at {@code flywheel.network.config} when set, else the copy of
     * config/network.json packaged in the jar. {@code flywheel.epoch.genesis} / {@code flywheel.epoch.seconds},
     * when set, replace its epochs (the devnet's short epochs with a fresh genesis); rules always come from the file.
     */
    @Singleton
    NetworkConfig networkConfig(@Value("${flywheel.network.config:}") String file,
                                @Value("${flywheel.epoch.genesis:}") String genesis,
                                @Value("${flywheel.epoch.seconds:0}") long seconds,
                                @Value("${flywheel.late-data.seconds:-1}") long lateDataSeconds) {
        NetworkConfig config = file == null || file.isBlank() ? NetworkConfigLoader.packaged() : NetworkConfigLoader.load(Path.of(file));
        if (genesis != null && !genesis.isBlank() && seconds > 0) {
            config = config.withEpochs(Instant.parse(genesis), Duration.ofSeconds(seconds));
        }
        if (lateDataSeconds >= 0) {
            config = config.withLateDataGate(Duration.ofSeconds(lateDataSeconds));
        }
        return config;
    }

    @Singleton
    EpochClock epochClock(NetworkConfig config) {
        return config.clock();
    }

    @Singleton
    VerificationPolicy verificationPolicy() {
        return VerificationPolicy.defaults();
    }

    @Singleton
    DynamoProofLedger proofLedger(DynamoDbClient dynamo, TableNames tables, EpochClock clock, VerificationPolicy policy,
                                  @Value("${flywheel.ledger.redelivery-minutes:60}") long redeliveryMinutes,
                                  @Value("${flywheel.ledger.epoch-status-cache-seconds:5}") long epochStatusSeconds,
                                  @Value("${flywheel.sensor.neighbour-check:false}") boolean neighbourCheck) {
        // A replay guard must outlive every moment at which the same proof could still pass the freshness check, plus the
        // latest a redelivery can come (the queue's maxReceiveCount x VisibilityTimeout = 20 min in template.yaml). It is
        // kept in the device's state item, whose size each write pays for: one hour, not a day.
        Duration guardLifetime = policy.maxAge().plus(policy.maxFutureSkew()).plus(Duration.ofMinutes(redeliveryMinutes));
        return new DynamoProofLedger(dynamo, tables, clock, guardLifetime, RateLimit.defaults(),
                Duration.ofSeconds(epochStatusSeconds), neighbourCheck);
    }

    @Singleton
    DynamoEpochLedger epochLedger(DynamoDbClient dynamo, TableNames tables, DynamoProofLedger proofs) {
        return new DynamoEpochLedger(dynamo, tables);
    }
}
