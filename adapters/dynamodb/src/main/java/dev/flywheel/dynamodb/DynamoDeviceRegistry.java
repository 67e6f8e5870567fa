package dev.flywheel.dynamodb;

import dev.flywheel.core.crypto.Encoding;
import dev.flywheel.core.crypto.SignatureScheme;
import dev.flywheel.core.verify.DeviceDirectory;
import dev.flywheel.core.verify.DeviceRecord;
import dev.flywheel.core.verify.DeviceStatus;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import static dev.flywheel.dynamodb.Attr.s;
import static dev.flywheel.dynamodb.Attr.str;

/** The device registry: signing key, owner, status and location per device id (= IoT thing name). */
public final class DynamoDeviceRegistry implements DeviceDirectory {
    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoDeviceRegistry(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    @Override
    public Optional<DeviceRecord> find(String deviceId) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table).key(Map.of("deviceId", s(deviceId)))).item();
        if (item == null || item.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new DeviceRecord(
                str(item, "deviceId"),
                SignatureScheme.fromWireId(str(item, "scheme")).orElseThrow(),
                Encoding.fromBase64Url(str(item, "publicKey")),
                str(item, "owner"),
                DeviceStatus.valueOf(str(item, "status")),
                str(item, "h3Cell")));
    }

    /** Registers a new device; false if the id is taken (registration never overwrites). */
    public boolean register(DeviceRecord device, String maker, Instant at) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("deviceId", s(device.deviceId()));
        item.put("scheme", s(device.scheme().wireId()));
        item.put("publicKey", s(Encoding.base64Url(device.publicKey())));
        item.put("owner", s(device.owner()));
        item.put("status", s(device.status().name()));
        item.put("maker", s(maker));
        item.put("registeredAt", s(at.toString()));
        if (device.h3Cell() != null) {
            item.put("h3Cell", s(device.h3Cell()));
        }
        try {
            dynamo.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(deviceId)"));
            return true;
        } catch (ConditionalCheckFailedException taken) {
            return false;
        }
    }

    public void setStatus(String deviceId, DeviceStatus status) {
        dynamo.updateItem(b -> b.tableName(table).key(Map.of("deviceId", s(deviceId)))
                .updateExpression("SET #s = :s")
                .conditionExpression("attribute_exists(deviceId)")
                .expressionAttributeNames(Map.of("#s", "status"))
                .expressionAttributeValues(Map.of(":s", s(status.name()))));
    }
}
