package dev.flywheel.epochs;

import dev.flywheel.core.epoch.DeviceLocations;
import dev.flywheel.core.epoch.EpochWorkSource;
import dev.flywheel.core.proof.SensorReading;
import dev.flywheel.dynamodb.DynamoCreditWorkSource;
import dev.flywheel.dynamodb.DynamoDeviceRegistry;
import dev.flywheel.dynamodb.TableNames;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** Wires the closer's core ports to their DynamoDB adapters. */
@Factory
public class EpochCloserFactory {

    @Singleton
    EpochWorkSource workSource(DynamoDbClient dynamo, TableNames tables) {
        // Credits written before pools existed carry no pool: they were all sensor readings.
        return new DynamoCreditWorkSource(dynamo, tables, SensorReading.TYPE);
    }

    @Singleton
    DeviceLocations deviceLocations(DynamoDbClient dynamo, TableNames tables) {
        return DeviceLocations.from(new DynamoDeviceRegistry(dynamo, tables.devices()));
    }
}
