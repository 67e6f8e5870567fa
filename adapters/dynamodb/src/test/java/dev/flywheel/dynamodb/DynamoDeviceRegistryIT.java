package dev.flywheel.dynamodb;

import dev.flywheel.testing.MotoTables;
import org.junit.jupiter.api.extension.RegisterExtension;
import dev.flywheel.core.crypto.DeviceSigningKey;
import dev.flywheel.core.crypto.SignatureScheme;
import dev.flywheel.core.proof.DeviceRecord;
import dev.flywheel.core.proof.DeviceStatus;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** DynamoDeviceRegistry on a real moto_server. */
class DynamoDeviceRegistryIT {
    @RegisterExtension
    static final MotoTables MOTO = new MotoTables();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Instant AT = Instant.parse("2026-11-25T12:00:00Z");

    private static DynamoDbClient dynamo;
    private static TableNames tables;
    private static DynamoDeviceRegistry registry;

    @BeforeAll
    static void createTables() {
        dynamo = MOTO.dynamo();
        tables = MOTO.tables();
        registry = new DynamoDeviceRegistry(dynamo, tables.devices());
    }

    private static String id() {
        return "thing-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static void assertSameDevice(DeviceRecord expected, DeviceRecord actual) {
        assertEquals(expected.deviceId(), actual.deviceId());
        assertEquals(expected.scheme(), actual.scheme());
        assertArrayEquals(expected.publicKey(), actual.publicKey());
        assertEquals(expected.owner(), actual.owner());
        assertEquals(expected.status(), actual.status());
        assertEquals(expected.h3Cell(), actual.h3Cell());
    }

    @ParameterizedTest
    @EnumSource(SignatureScheme.class)
    void registeredDeviceRoundTripsAndItsKeyStillVerifies(SignatureScheme scheme) {
        DeviceSigningKey key = DeviceSigningKey.generate(scheme, RANDOM);
        DeviceRecord device = new DeviceRecord(id(), scheme, key.publicKey(),
                "0xabcdefabcdefabcdefabcdefabcdefabcdefabcd", DeviceStatus.ACTIVE, "8b2a100d2c89fff");
        assertTrue(registry.register(device, "acme-weather", AT));

        DeviceRecord found = registry.find(device.deviceId()).orElseThrow();
        assertSameDevice(device, found);
        byte[] message = "hello".getBytes(StandardCharsets.UTF_8);
        assertTrue(scheme.verify(found.publicKey(), message, key.sign(message)), "the stored key is the device's key");

        Map<String, AttributeValue> raw = dynamo.getItem(g -> g.tableName(tables.devices())
                .key(Map.of("deviceId", AttributeValue.fromS(device.deviceId())))).item();
        assertEquals("acme-weather", raw.get("maker").s());
        assertEquals(AT.toString(), raw.get("registeredAt").s());
        assertEquals(scheme.wireId(), raw.get("scheme").s());
    }

    @Test
    void deviceWithoutLocationHasNoH3Cell() {
        DeviceSigningKey key = DeviceSigningKey.generate(SignatureScheme.ED25519, RANDOM);
        DeviceRecord device = new DeviceRecord(id(), SignatureScheme.ED25519, key.publicKey(),
                "0x0000000000000000000000000000000000000001", DeviceStatus.ACTIVE, null);
        assertTrue(registry.register(device, "maker", AT));
        assertNull(registry.find(device.deviceId()).orElseThrow().h3Cell());
    }

    @Test
    void registrationNeverOverwrites() {
        String id = id();
        DeviceSigningKey original = DeviceSigningKey.generate(SignatureScheme.P256_SHA256, RANDOM);
        DeviceRecord device = new DeviceRecord(id, SignatureScheme.P256_SHA256, original.publicKey(),
                "0x1111111111111111111111111111111111111111", DeviceStatus.ACTIVE, null);
        assertTrue(registry.register(device, "maker", AT));

        DeviceSigningKey hijack = DeviceSigningKey.generate(SignatureScheme.ED25519, RANDOM);
        DeviceRecord takeover = new DeviceRecord(id, SignatureScheme.ED25519, hijack.publicKey(),
                "0x2222222222222222222222222222222222222222", DeviceStatus.ACTIVE, null);
        assertFalse(registry.register(takeover, "attacker", AT.plusSeconds(1)));
        assertSameDevice(device, registry.find(id).orElseThrow());
    }

    @Test
    void setStatusChangesOnlyTheStatus() {
        DeviceSigningKey key = DeviceSigningKey.generate(SignatureScheme.SECP256K1_KECCAK256, RANDOM);
        DeviceRecord device = new DeviceRecord(id(), SignatureScheme.SECP256K1_KECCAK256, key.publicKey(),
                "0x3333333333333333333333333333333333333333", DeviceStatus.ACTIVE, "8b2a100d2c89fff");
        assertTrue(registry.register(device, "maker", AT));
        for (DeviceStatus status : new DeviceStatus[] {DeviceStatus.SUSPENDED, DeviceStatus.ACTIVE, DeviceStatus.REVOKED}) {
            registry.setStatus(device.deviceId(), status);
            DeviceRecord found = registry.find(device.deviceId()).orElseThrow();
            assertEquals(status, found.status());
            assertSameDevice(new DeviceRecord(device.deviceId(), device.scheme(), device.publicKey(), device.owner(), status,
                    device.h3Cell()), found);
        }
    }

    /** 250 ids (three BatchGetItem chunks), 200 registered: findAll returns exactly those, each as find does. */
    @Test
    void findAllReadsManyDevicesInChunksOfAHundred() {
        DeviceSigningKey key = DeviceSigningKey.generate(SignatureScheme.ED25519, RANDOM);
        List<String> ids = new java.util.ArrayList<>();
        Map<String, DeviceRecord> registered = new java.util.HashMap<>();
        for (int i = 0; i < 250; i++) {
            String id = id();
            ids.add(id);
            if (i % 5 != 0) {
                DeviceRecord d = new DeviceRecord(id, SignatureScheme.ED25519, key.publicKey(), "0x" + "ab".repeat(20),
                        DeviceStatus.ACTIVE, i % 2 == 0 ? "8b2a100d2c89fff" : null);
                assertTrue(registry.register(d, "maker", AT));
                registered.put(id, d);
            }
        }
        ids.add(ids.get(1)); // a device twice in a batch is asked once
        Map<String, DeviceRecord> found = registry.findAll(ids);
        assertEquals(registered.keySet(), found.keySet());
        registered.forEach((id, d) -> assertSameDevice(d, found.get(id)));
        assertEquals(Map.of(), registry.findAll(List.of()));
    }

    @Test
    void unknownDevices() {
        String id = id();
        assertEquals(Optional.empty(), registry.find(id));
        assertThrows(ConditionalCheckFailedException.class, () -> registry.setStatus(id, DeviceStatus.REVOKED),
                "setStatus must not create a device");
        assertEquals(Optional.empty(), registry.find(id));
    }

    @Test
    void capabilitiesAreStoredAndActiveCapableDevicesAreFoundAcrossScanPages() {
        DeviceSigningKey key = DeviceSigningKey.generate(SignatureScheme.ED25519, RANDOM);
        String owner = "0x1111111111111111111111111111111111111111";
        String up1 = id();
        String up2 = id();
        String plain = id();
        String suspended = id();
        String revokedLater = id();
        assertTrue(registry.register(new DeviceRecord(up1, SignatureScheme.ED25519, key.publicKey(), owner, DeviceStatus.ACTIVE, null),
                "maker", AT, Set.of("uptime", "storage")));
        assertTrue(registry.register(new DeviceRecord(up2, SignatureScheme.ED25519, key.publicKey(), owner, DeviceStatus.ACTIVE, null),
                "maker", AT, Set.of("uptime")));
        assertTrue(registry.register(new DeviceRecord(plain, SignatureScheme.ED25519, key.publicKey(), owner, DeviceStatus.ACTIVE, null),
                "maker", AT));
        assertTrue(registry.register(new DeviceRecord(suspended, SignatureScheme.ED25519, key.publicKey(), owner, DeviceStatus.SUSPENDED, null),
                "maker", AT, Set.of("uptime")));
        assertTrue(registry.register(new DeviceRecord(revokedLater, SignatureScheme.ED25519, key.publicKey(), owner, DeviceStatus.ACTIVE, null),
                "maker", AT, Set.of("uptime")));
        registry.setStatus(revokedLater, DeviceStatus.REVOKED);

        var item = dynamo.getItem(b -> b.tableName(tables.devices()).key(Map.of("deviceId", AttributeValue.fromS(up1)))).item();
        assertEquals(Set.of("uptime", "storage"), Set.copyOf(item.get("capabilities").ss()));
        assertFalse(dynamo.getItem(b -> b.tableName(tables.devices()).key(Map.of("deviceId", AttributeValue.fromS(plain))))
                .item().containsKey("capabilities"), "no capabilities: no attribute");

        for (List<String> found : List.of(registry.activeWithCapability("uptime"), registry.activeWithCapability("uptime", 1))) {
            assertTrue(found.containsAll(List.of(up1, up2)), found.toString());
            assertFalse(found.contains(plain));
            assertFalse(found.contains(suspended));
            assertFalse(found.contains(revokedLater));
        }
        assertTrue(registry.activeWithCapability("storage", 1).contains(up1));
        assertFalse(registry.activeWithCapability("storage").contains(up2));
        assertThrows(IllegalArgumentException.class, () -> registry.register(
                new DeviceRecord(id(), SignatureScheme.ED25519, key.publicKey(), owner, DeviceStatus.ACTIVE, null), "maker", AT, Set.of(" ")));
    }
}
