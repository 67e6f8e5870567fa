package dev.flywheel.epochs;

import dev.flywheel.core.epoch.DeviceLocations;
import dev.flywheel.core.epoch.EpochWorkSource;
import dev.flywheel.dynamodb.DynamoEpochWork;
import dev.flywheel.dynamodb.DynamoDeviceRegistry;
import dev.flywheel.dynamodb.DynamoHexSummaries;
import dev.flywheel.dynamodb.TableNames;
import dev.flywheel.core.types.coverage.AntennaGains;
import dev.flywheel.core.network.NetworkConfig;
import dev.flywheel.core.reward.RewardRules;
import dev.flywheel.core.types.coverage.CoverageConfig;
import dev.flywheel.core.types.coverage.Hip15;
import dev.flywheel.core.types.coverage.CoverageDenylist;
import dev.flywheel.core.types.coverage.CoverageWindow;
import dev.flywheel.core.types.coverage.CoverageWindowEvaluator;
import dev.flywheel.core.types.coverage.RegionResolver;
import dev.flywheel.dynamodb.DynamoEntropyLedger;
import dev.flywheel.dynamodb.DynamoProofLedger;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** Wires the closer's core ports (and the coverage window evaluation) to their DynamoDB adapters. */
@Factory
public class EpochCloserFactory {

    @Singleton
    EpochWorkSource workSource(DynamoDbClient dynamo, TableNames tables) {
        return new DynamoEpochWork(dynamo, tables);
    }

    @Singleton
    CoverageEvaluations coverageEvaluations(DynamoDbClient dynamo, DynamoProofLedger proofs, NetworkConfig network,
                                            @Value("${flywheel.entropy.table:}") String entropyTable,
                                            @Value("${flywheel.coverage.settle-seconds:60}") long settleSeconds,
                                            @Value("${flywheel.coverage.region:}") String region) {
        if (entropyTable == null || entropyTable.isBlank()) {
            return Optional::empty;
        }
        return () -> {
            var reports = proofs.coverage();
            // HIP-15 units under the rules in force now: a run evaluates windows that closed minutes ago.
            RewardRules.CoverageUnits units = network.rulesFor(network.clock().epochOf(Instant.now())).coverageUnits();
            var window = new CoverageWindow(CoverageConfig.defaults().withSettleDelay(Duration.ofSeconds(settleSeconds))
                    .withMaxRewardedWitnesses(units.maxRewardedWitnesses()),
                    new DynamoEntropyLedger(dynamo, entropyTable, Duration.ofDays(1)),
                    region == null || region.isBlank() ? RegionResolver.h3Parent(3) : RegionResolver.single(region.strip()),
                    reports.history(), CoverageDenylist.NONE, AntennaGains.ZERO,
                    new Hip15.Params(units.redundancy(), units.decayBps(), units.beaconerCap()));
            return Optional.of(new CoverageWindowEvaluator(window, reports));
        };
    }

    @Singleton
    DynamoHexSummaries hexSummaries(DynamoDbClient dynamo, TableNames tables) {
        return new DynamoHexSummaries(dynamo, tables);
    }

    @Singleton
    DeviceLocations deviceLocations(DynamoDbClient dynamo, TableNames tables) {
        return DeviceLocations.from(new DynamoDeviceRegistry(dynamo, tables.devices()));
    }
}
