package dev.flywheel.dynamodb;

import dev.flywheel.core.proof.DeviceRecord;
import dev.flywheel.core.types.bandwidth.BandwidthDirectory;
import dev.flywheel.core.verify.DeviceDirectory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

import static dev.flywheel.dynamodb.Attr.s;

/**
 * {@link BandwidthDirectory} over the devices table: clients through the verifier's device directory (its cache), a
 * node's capacity from its {@code capabilities} string set ({@code bandwidth.<bytes per second>}; the largest wins).
 */
public final class DynamoBandwidthDirectory implements BandwidthDirectory {
    private final DeviceDirectory devices;
    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoBandwidthDirectory(DeviceDirectory devices, DynamoDbClient dynamo, String devicesTable) {
        this.devices = Objects.requireNonNull(devices, "devices");
        this.dynamo = Objects.requireNonNull(dynamo, "dynamo");
        this.table = Objects.requireNonNull(devicesTable, "devicesTable");
    }

    @Override
    public Optional<DeviceRecord> client(String clientId) {
        return devices.find(clientId);
    }

    @Override
    public OptionalLong capacityBytesPerSecond(String nodeId) {
        Map<String, AttributeValue> item = dynamo.getItem(g -> g.tableName(table).key(Map.of("deviceId", s(nodeId)))
                .projectionExpression("capabilities")).item();
        if (item == null || !item.containsKey("capabilities") || !item.get("capabilities").hasSs()) {
            return OptionalLong.empty();
        }
        return item.get("capabilities").ss().stream()
                .map(BandwidthDirectory::parseCapacity)
                .filter(OptionalLong::isPresent)
                .mapToLong(OptionalLong::getAsLong)
                .max();
    }
}
