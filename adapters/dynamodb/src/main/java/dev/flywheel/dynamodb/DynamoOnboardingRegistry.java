package dev.flywheel.dynamodb;

import dev.flywheel.core.crypto.Encoding;
import dev.flywheel.core.crypto.SignatureScheme;
import dev.flywheel.core.proof.DeviceRecord;
import dev.flywheel.core.proof.DeviceStatus;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.Update;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import static dev.flywheel.dynamodb.Attr.n;
import static dev.flywheel.dynamodb.Attr.s;
import static dev.flywheel.dynamodb.Attr.str;

/**
 * Registry writes for onboarding, in the devices table (hash key {@code deviceId} only).
 *
 * <h2>Key layout</h2>
 * <ul>
 *   <li>{@code deviceId = "<id>"}: the device item the verifier reads ({@link DynamoDeviceRegistry#find}),
 *       plus {@code maker, registeredAt, thingArn, certificateId, certificateArn, ownerNonce,
 *       locationNonce, locationAssertedAt, antennaGainDeciDbi, elevationMeters, statusReason,
 *       statusVersion, statusChangedAt}.</li>
 *   <li>{@code deviceId = "<id>#owner#<nonce, 19 digits>"}: one item per accepted owner binding;</li>
 *   <li>{@code deviceId = "<id>#location#<nonce, 19 digits>"}: one item per accepted location assertion;</li>
 *   <li>{@code deviceId = "<id>#status#<version, 19 digits>"}: one item per status change.</li>
 * </ul>
 * {@code #} is outside the thing-name alphabet ({@code [A-Za-z0-9:_-]}), so history keys can never
 * collide with a device id, and the verifier (which only looks devices up by a valid thing name)
 * never sees them. History items carry {@code kind} ({@code owner|location|status}) and
 * {@code device}; anything that scans the table must skip items that have {@code kind}.
 * History is read back with BatchGetItem over the known nonce range (nonces are dense: 1, 2, 3, ...).
 *
 * <h2>Conditions</h2>
 * Every change is one TransactWriteItems: an update of the device item conditioned on the nonce the
 * caller checked the signatures against (and on the device not being revoked), plus a conditional
 * create of the history item. A replayed or racing request therefore fails the condition and
 * changes nothing at all.
 */
public final class DynamoOnboardingRegistry {
    public static final String OWNER = "owner";
    public static final String LOCATION = "location";
    public static final String STATUS = "status";
    /** BatchGetItem reads at most 100 keys per call: history is served for the last 100 changes of each kind. */
    public static final int MAX_HISTORY = 100;

    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoOnboardingRegistry(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    /** The history key of change {@code number} of {@code kind}. */
    public static String historyKey(String deviceId, String kind, long number) {
        return deviceId + "#" + kind + "#" + String.format("%019d", number);
    }

    /** The registration evidence: the binding's signatures (base64url) and the IoT identity. */
    public record Registration(DeviceRecord device, String maker, String thingArn, String certificateId,
                               String certificateArn, long ownerNonce, Map<String, String> bindingEvidence,
                               Set<String> capabilities) {
        public Registration(DeviceRecord device, String maker, String thingArn, String certificateId,
                            String certificateArn, long ownerNonce, Map<String, String> bindingEvidence) {
            this(device, maker, thingArn, certificateId, certificateArn, ownerNonce, bindingEvidence, Set.of());
        }
    }

    /**
     * Creates the device item and its first owner-history item; false if the id is taken (nothing
     * is written then).
     */
    public boolean register(Registration r, Instant at) {
        DeviceRecord d = r.device();
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("deviceId", s(d.deviceId()));
        item.put("scheme", s(d.scheme().wireId()));
        item.put("publicKey", s(Encoding.base64Url(d.publicKey())));
        item.put("owner", s(d.owner()));
        item.put("status", s(d.status().name()));
        item.put("maker", s(r.maker()));
        item.put("registeredAt", s(at.toString()));
        item.put("thingArn", s(r.thingArn()));
        item.put("certificateId", s(r.certificateId()));
        item.put("certificateArn", s(r.certificateArn()));
        item.put("ownerNonce", n(r.ownerNonce()));
        item.put("locationNonce", n(0));
        item.put("statusVersion", n(0));
        if (!r.capabilities().isEmpty()) {
            // The same string set DynamoDeviceRegistry.activeWithCapability searches.
            item.put("capabilities", AttributeValue.fromSs(List.copyOf(r.capabilities())));
        }
        if (d.h3Cell() != null) {
            item.put("h3Cell", s(d.h3Cell()));
        }
        Map<String, String> fields = new LinkedHashMap<>(r.bindingEvidence());
        fields.put("owner", d.owner());
        return transact(List.of(
                TransactWriteItem.builder().put(Put.builder().tableName(table).item(item)
                        .conditionExpression("attribute_not_exists(deviceId)").build()).build(),
                historyPut(d.deviceId(), OWNER, r.ownerNonce(), at, fields)));
    }

    public Optional<OnboardedDevice> find(String deviceId) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table).consistentRead(true)
                .key(Map.of("deviceId", s(deviceId)))).item();
        if (item == null || item.isEmpty() || item.containsKey("kind")) {
            return Optional.empty();
        }
        DeviceRecord record = new DeviceRecord(str(item, "deviceId"),
                SignatureScheme.fromWireId(str(item, "scheme")).orElseThrow(),
                Encoding.fromBase64Url(str(item, "publicKey")), str(item, "owner"),
                DeviceStatus.valueOf(str(item, "status")), str(item, "h3Cell"));
        return Optional.of(new OnboardedDevice(record, str(item, "maker"),
                Optional.ofNullable(str(item, "registeredAt")).map(Instant::parse).orElse(null),
                str(item, "thingArn"), str(item, "certificateId"), str(item, "certificateArn"),
                longOr(item, "ownerNonce", 0), longOr(item, "locationNonce", 0),
                Optional.ofNullable(str(item, "locationAssertedAt")).map(Instant::parse).orElse(null),
                intOrNull(item, "antennaGainDeciDbi"), intOrNull(item, "elevationMeters"),
                str(item, "statusReason"), longOr(item, "statusVersion", 0)));
    }

    /**
     * Moves the device to {@code newOwner} if its owner nonce is still {@code expectedNonce}, its owner
     * still {@code expectedOwner} and it is not revoked; false (and nothing written) otherwise.
     */
    public boolean changeOwner(String deviceId, String expectedOwner, long expectedNonce, String newOwner,
                               Map<String, String> evidence, Instant at) {
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":owner", s(newOwner));
        values.put(":expectedOwner", s(expectedOwner));
        values.put(":next", n(expectedNonce + 1));
        values.put(":revoked", s(DeviceStatus.REVOKED.name()));
        values.put(":expected", n(expectedNonce));
        Update update = Update.builder().tableName(table).key(Map.of("deviceId", s(deviceId)))
                .updateExpression("SET #owner = :owner, ownerNonce = :next")
                .conditionExpression("attribute_exists(deviceId) AND ownerNonce = :expected AND #owner = :expectedOwner AND #status <> :revoked")
                .expressionAttributeNames(Map.of("#owner", "owner", "#status", "status"))
                .expressionAttributeValues(values).build();
        Map<String, String> fields = new LinkedHashMap<>(evidence);
        fields.put("owner", newOwner);
        fields.put("previousOwner", expectedOwner);
        return transact(List.of(TransactWriteItem.builder().update(update).build(),
                historyPut(deviceId, OWNER, expectedNonce + 1, at, fields)));
    }

    /** A location assertion the owner signed; false (and nothing written) if the nonce moved on or the device is revoked. */
    public boolean assertLocation(String deviceId, long expectedNonce, String h3Cell, int antennaGainDeciDbi,
                                  int elevationMeters, Map<String, String> evidence, Instant at) {
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":cell", s(h3Cell));
        values.put(":gain", n(antennaGainDeciDbi));
        values.put(":elevation", n(elevationMeters));
        values.put(":next", n(expectedNonce + 1));
        values.put(":at", s(at.toString()));
        values.put(":revoked", s(DeviceStatus.REVOKED.name()));
        values.put(":expected", n(expectedNonce));
        // Devices registered before onboarding existed have no locationNonce yet: it counts as 0.
        String nonceCondition = expectedNonce == 0
                ? "(attribute_not_exists(locationNonce) OR locationNonce = :expected)"
                : "locationNonce = :expected";
        Update update = Update.builder().tableName(table).key(Map.of("deviceId", s(deviceId)))
                .updateExpression("SET h3Cell = :cell, antennaGainDeciDbi = :gain, elevationMeters = :elevation, "
                        + "locationNonce = :next, locationAssertedAt = :at")
                .conditionExpression("attribute_exists(deviceId) AND " + nonceCondition + " AND #status <> :revoked")
                .expressionAttributeNames(Map.of("#status", "status"))
                .expressionAttributeValues(values).build();
        Map<String, String> fields = new LinkedHashMap<>(evidence);
        fields.put("h3Cell", h3Cell);
        fields.put("antennaGainDeciDbi", Integer.toString(antennaGainDeciDbi));
        fields.put("elevationMeters", Integer.toString(elevationMeters));
        return transact(List.of(TransactWriteItem.builder().update(update).build(),
                historyPut(deviceId, LOCATION, expectedNonce + 1, at, fields)));
    }

    /**
     * Operator status change, from {@code expected} to {@code next}; false (nothing written) if the status
     * or version moved on meanwhile. REVOKED is final: nothing moves a device out of it.
     */
    public boolean changeStatus(String deviceId, DeviceStatus expected, long expectedVersion, DeviceStatus next,
                                String reason, String actor, Instant at) {
        if (expected == DeviceStatus.REVOKED) {
            return false;
        }
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":expected", s(expected.name()));
        values.put(":next", s(next.name()));
        values.put(":reason", s(reason));
        values.put(":at", s(at.toString()));
        values.put(":version", n(expectedVersion + 1));
        values.put(":expectedVersion", n(expectedVersion));
        String versionCondition = expectedVersion == 0
                ? "(attribute_not_exists(statusVersion) OR statusVersion = :expectedVersion)"
                : "statusVersion = :expectedVersion";
        Update update = Update.builder().tableName(table).key(Map.of("deviceId", s(deviceId)))
                .updateExpression("SET #status = :next, statusReason = :reason, statusChangedAt = :at, statusVersion = :version")
                .conditionExpression("attribute_exists(deviceId) AND #status = :expected AND " + versionCondition)
                .expressionAttributeNames(Map.of("#status", "status"))
                .expressionAttributeValues(values).build();
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("from", expected.name());
        fields.put("to", next.name());
        fields.put("reason", reason);
        if (actor != null) {
            fields.put("actor", actor);
        }
        return transact(List.of(TransactWriteItem.builder().update(update).build(),
                historyPut(deviceId, STATUS, expectedVersion + 1, at, fields)));
    }

    /** Changes {@code 1..upTo} of {@code kind} (the last {@link #MAX_HISTORY} of them), oldest first. */
    public List<RegistryHistoryEntry> history(String deviceId, String kind, long upTo) {
        if (upTo <= 0) {
            return List.of();
        }
        List<Map<String, AttributeValue>> keys = new ArrayList<>();
        for (long i = Math.max(1, upTo - MAX_HISTORY + 1); i <= upTo; i++) {
            keys.add(Map.of("deviceId", s(historyKey(deviceId, kind, i))));
        }
        List<RegistryHistoryEntry> out = new ArrayList<>();
        Map<String, KeysAndAttributes> request = Map.of(table, KeysAndAttributes.builder().keys(keys).consistentRead(true).build());
        while (!request.isEmpty()) {
            Map<String, KeysAndAttributes> current = request;
            BatchGetItemResponse r = dynamo.batchGetItem(b -> b.requestItems(current));
            for (Map<String, AttributeValue> item : r.responses().getOrDefault(table, List.of())) {
                Map<String, String> fields = new TreeMap<>();
                item.forEach((k, v) -> {
                    if (!List.of("deviceId", "kind", "device", "number", "at").contains(k)) {
                        fields.put(k, v.s() != null ? v.s() : v.n());
                    }
                });
                out.add(new RegistryHistoryEntry(str(item, "kind"), Long.parseLong(item.get("number").n()),
                        str(item, "at"), fields));
            }
            request = r.hasUnprocessedKeys() ? r.unprocessedKeys() : Map.of();
        }
        out.sort(Comparator.comparingLong(RegistryHistoryEntry::number));
        return out;
    }

    private TransactWriteItem historyPut(String deviceId, String kind, long number, Instant at, Map<String, String> fields) {
        Map<String, AttributeValue> item = new HashMap<>();
        fields.forEach((k, v) -> {
            if (v != null) {
                item.put(k, s(v));
            }
        });
        item.put("deviceId", s(historyKey(deviceId, kind, number)));
        item.put("kind", s(kind));
        item.put("device", s(deviceId));
        item.put("number", n(number));
        item.put("at", s(at.toString()));
        return TransactWriteItem.builder().put(Put.builder().tableName(table).item(item)
                .conditionExpression("attribute_not_exists(deviceId)").build()).build();
    }

    private boolean transact(List<TransactWriteItem> items) {
        try {
            dynamo.transactWriteItems(b -> b.transactItems(items));
            return true;
        } catch (TransactionCanceledException conditionFailed) {
            boolean onlyConditions = conditionFailed.cancellationReasons().stream()
                    .allMatch(r -> r.code() == null || "None".equals(r.code()) || "ConditionalCheckFailed".equals(r.code()));
            if (!onlyConditions) {
                throw conditionFailed;
            }
            return false;
        }
    }

    private static long longOr(Map<String, AttributeValue> item, String name, long fallback) {
        AttributeValue v = item.get(name);
        return v == null || v.n() == null ? fallback : Long.parseLong(v.n());
    }

    private static Integer intOrNull(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null || v.n() == null ? null : Integer.valueOf(v.n());
    }
}
