package dev.flywheel.dynamodb;

import dev.flywheel.core.crypto.Encoding;
import dev.flywheel.core.crypto.SignatureScheme;
import dev.flywheel.core.verify.DeviceDirectory;
import dev.flywheel.core.proof.DeviceRecord;
import dev.flywheel.core.proof.DeviceStatus;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static dev.flywheel.dynamodb.Attr.s;
import static dev.flywheel.dynamodb.Attr.str;

/**
 * The device registry: signing key, owner, status and location per device id (= IoT thing name), and the
 * optional {@code capabilities} string set (e.g. {@code uptime}: the network issues it service challenges).
 */
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
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(toRecord(item));
    }

    /**
     * The registered devices among {@code deviceIds}, in one {@code BatchGetItem} per 100 (eventually consistent, as
     * {@link #find}). An id missing from the answer is unregistered or was left unprocessed: ask {@link #find} for it.
     */
    public Map<String, DeviceRecord> findAll(Collection<String> deviceIds) {
        List<Map<String, AttributeValue>> keys = deviceIds.stream().distinct()
                .map(id -> Map.of("deviceId", s(id))).toList();
        Map<String, DeviceRecord> found = new HashMap<>();
        for (Map<String, AttributeValue> item : BatchReads.get(dynamo, table, keys, false).items()) {
            DeviceRecord d = toRecord(item);
            found.put(d.deviceId(), d);
        }
        return found;
    }

    private static DeviceRecord toRecord(Map<String, AttributeValue> item) {
        return new DeviceRecord(
                str(item, "deviceId"),
                SignatureScheme.fromWireId(str(item, "scheme")).orElseThrow(),
                Encoding.fromBase64Url(str(item, "publicKey")),
                str(item, "owner"),
                DeviceStatus.valueOf(str(item, "status")),
                str(item, "h3Cell"));
    }

    /** The {@code capabilities} value of a node the network issues uptime challenges to. */
    public static final String CAPABILITY_UPTIME = "uptime";

    /** Registers a new device without capabilities; false if the id is taken (registration never overwrites). */
    public boolean register(DeviceRecord device, String maker, Instant at) {
        return register(device, maker, at, Set.of());
    }

    /**
     * Registers a new device with {@code capabilities} (stored as a string set; an empty set stores none);
     * false if the id is taken (registration never overwrites).
     */
    public boolean register(DeviceRecord device, String maker, Instant at, Set<String> capabilities) {
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
        if (!capabilities.isEmpty()) {
            for (String c : capabilities) {
                if (c == null || c.isBlank()) {
                    throw new IllegalArgumentException("a capability must not be blank");
                }
            }
            item.put("capabilities", AttributeValue.fromSs(List.copyOf(capabilities)));
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

    /**
     * The ids of the {@link DeviceStatus#ACTIVE ACTIVE} devices whose {@code capabilities} contain
     * {@code capability}: a filtered Scan of the whole table, every page (read cost grows with the table).
     */
    public List<String> activeWithCapability(String capability) {
        return activeWithCapability(capability, null);
    }

    /** @param pageSize items read per Scan page (null: DynamoDB's 1 MB pages); tests use it to cross pages */
    List<String> activeWithCapability(String capability, Integer pageSize) {
        List<String> ids = new ArrayList<>();
        dynamo.scanPaginator(b -> b.tableName(table).limit(pageSize)
                        .filterExpression("contains(#c, :c) AND #s = :active")
                        .projectionExpression("deviceId")
                        .expressionAttributeNames(Map.of("#c", "capabilities", "#s", "status"))
                        .expressionAttributeValues(Map.of(":c", s(capability), ":active", s(DeviceStatus.ACTIVE.name()))))
                .items().forEach(item -> ids.add(str(item, "deviceId")));
        return ids;
    }
}
