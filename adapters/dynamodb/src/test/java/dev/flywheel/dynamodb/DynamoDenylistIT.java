package dev.flywheel.dynamodb;

import dev.flywheel.testing.MotoTables;
import org.junit.jupiter.api.extension.RegisterExtension;
import dev.flywheel.core.crypto.DeviceSigningKey;
import dev.flywheel.core.crypto.SignatureScheme;
import dev.flywheel.core.proof.DeviceRecord;
import dev.flywheel.core.proof.DeviceStatus;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** DynamoDenylist on a real moto_server, in the devices table next to the registry. */
class DynamoDenylistIT {
    @RegisterExtension
    static final MotoTables MOTO = new MotoTables();
    private static final Instant AT = Instant.parse("2026-11-25T12:00:00Z");
    private static DynamoDbClient dynamo;
    private static TableNames tables;
    private static DynamoDenylist denylist;

    @BeforeAll
    static void createTables() {
        dynamo = MOTO.dynamo();
        tables = MOTO.tables();
        denylist = new DynamoDenylist(dynamo, tables.devices());
    }

    private static String id() {
        return "thing-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void deniedAmongAnswersABatchOfDevicesAtOnce() {
        List<String> ids = new java.util.ArrayList<>();
        java.util.Set<String> denied = new java.util.HashSet<>();
        for (int i = 0; i < 150; i++) {
            String id = id();
            ids.add(id);
            if (i % 7 == 0) {
                denylist.add(id, "spoofing", "ops", AT);
                denied.add(id);
            }
        }
        DynamoDenylist.Answers answers = denylist.deniedAmong(ids);
        assertEquals(denied, answers.denied());
        assertEquals(java.util.Set.of(), answers.unanswered());
    }

    @Test
    void addContainsRemove() {
        String id = id();
        assertFalse(denylist.contains(id));
        assertFalse(denylist.remove(id), "removing an absent entry reports false");

        denylist.add(id, "rssi impossible for the distance", "ops@example.org", AT);
        assertTrue(denylist.contains(id));
        assertEquals(Optional.of(new DynamoDenylist.Entry(id, "rssi impossible for the distance", "ops@example.org", AT)),
                denylist.find(id));

        denylist.add(id, "still spoofing", "oncall", AT.plusSeconds(60));
        assertEquals("still spoofing", denylist.find(id).orElseThrow().reason(), "adding again replaces the entry");

        assertTrue(denylist.remove(id));
        assertFalse(denylist.contains(id));
    }

    @Test
    void entriesLiveBesideDevicesWithoutTouchingThem() {
        String id = id();
        var registry = new DynamoDeviceRegistry(dynamo, tables.devices());
        DeviceSigningKey key = DeviceSigningKey.generate(SignatureScheme.ED25519, new SecureRandom());
        DeviceRecord device = new DeviceRecord(id, SignatureScheme.ED25519, key.publicKey(),
                "0x4444444444444444444444444444444444444444", DeviceStatus.ACTIVE, null);
        assertTrue(registry.register(device, "maker", AT));

        denylist.add(id, "investigating", "ops", AT);
        assertEquals(DeviceStatus.ACTIVE, registry.find(id).orElseThrow().status(), "the device item is unchanged");
        assertTrue(denylist.remove(id));
        assertTrue(registry.find(id).isPresent(), "removal deletes the denylist item only");

        // A denylist entry needs no registered device (deny before the device ever shows up).
        String unregistered = id();
        denylist.add(unregistered, "known spoofer", "ops", AT);
        assertTrue(denylist.contains(unregistered));
        assertTrue(registry.find(unregistered).isEmpty());
    }
}
