package dev.flywheel.dynamodb;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import static dev.flywheel.dynamodb.Attr.s;
import static dev.flywheel.dynamodb.Attr.str;

/**
 * The operator's denylist: devices whose proofs are rejected {@code denylisted} whatever their registry
 * status (a device under investigation, a known spoofer), changed at run time without a deploy.
 *
 * <p>Storage: items in the <b>devices table</b> under their own key space,
 * {@code deviceId = "#denylist#<device id>"}, with {@code device}, {@code reason}, {@code addedBy} and
 * {@code addedAt}. A thing name can never contain {@code #} (protocol: {@code [A-Za-z0-9:_-]}), so these
 * keys cannot collide with a device, and no new table, template resource or permission is needed (the
 * verifier already reads the devices table). Listing the denylist is a scan with
 * {@code begins_with(deviceId, "#denylist#")}: fine for an operator tool, never done per proof.
 */
public final class DynamoDenylist {
    /** Key prefix of denylist items in the devices table. */
    public static final String KEY_PREFIX = "#denylist#";

    /** One denylist entry. */
    public record Entry(String deviceId, String reason, String addedBy, Instant addedAt) {
    }

    private final DynamoDbClient dynamo;
    private final String table;

    /** @param devicesTable the devices table ({@code TableNames.devices()}) */
    public DynamoDenylist(DynamoDbClient dynamo, String devicesTable) {
        this.dynamo = Objects.requireNonNull(dynamo, "dynamo");
        this.table = Objects.requireNonNull(devicesTable, "devicesTable");
    }

    static AttributeValue key(String deviceId) {
        if (deviceId == null || deviceId.isEmpty()) {
            throw new IllegalArgumentException("deviceId is empty");
        }
        return s(KEY_PREFIX + deviceId);
    }

    /** Puts {@code deviceId} on the denylist (or replaces its entry's reason); {@code by} names the operator. */
    public void add(String deviceId, String reason, String by) {
        add(deviceId, reason, by, Instant.now());
    }

    public void add(String deviceId, String reason, String by, Instant at) {
        dynamo.putItem(b -> b.tableName(table).item(Map.of(
                "deviceId", key(deviceId),
                "device", s(deviceId),
                "reason", s(reason == null || reason.isBlank() ? "-" : reason),
                "addedBy", s(by == null || by.isBlank() ? "-" : by),
                "addedAt", s(at.toString()))));
    }

    /** Takes {@code deviceId} off the denylist; false if it was not on it. */
    public boolean remove(String deviceId) {
        Map<String, AttributeValue> old = dynamo.deleteItem(b -> b.tableName(table).key(Map.of("deviceId", key(deviceId)))
                .returnValues(ReturnValue.ALL_OLD)).attributes();
        return old != null && !old.isEmpty();
    }

    /** One (eventually consistent) read; the verifier caches the answer briefly. */
    public boolean contains(String deviceId) {
        return find(deviceId).isPresent();
    }

    /**
     * Which of {@code deviceIds} are denylisted, in one {@code BatchGetItem} per 100, and which could not be answered
     * (left unprocessed by DynamoDB): those must be asked one by one, never assumed allowed.
     */
    public Answers deniedAmong(Collection<String> deviceIds) {
        List<Map<String, AttributeValue>> keys = deviceIds.stream().distinct().map(id -> Map.of("deviceId", key(id))).toList();
        BatchReads.Found found = BatchReads.get(dynamo, table, keys, false);
        Set<String> denied = new HashSet<>();
        found.items().forEach(item -> denied.add(str(item, "device")));
        Set<String> unanswered = new HashSet<>();
        found.unprocessed().forEach(k -> unanswered.add(k.get("deviceId").s().substring(KEY_PREFIX.length())));
        return new Answers(denied, unanswered);
    }

    /** {@link #deniedAmong}'s answer: the denied devices, and those it could not answer. */
    public record Answers(Set<String> denied, Set<String> unanswered) {
    }

    public Optional<Entry> find(String deviceId) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table).key(Map.of("deviceId", key(deviceId)))
                .projectionExpression("device, reason, addedBy, addedAt")).item();
        if (item == null || item.isEmpty()) {
            return Optional.empty();
        }
        String at = str(item, "addedAt");
        return Optional.of(new Entry(str(item, "device"), str(item, "reason"), str(item, "addedBy"),
                at == null ? null : Instant.parse(at)));
    }
}
