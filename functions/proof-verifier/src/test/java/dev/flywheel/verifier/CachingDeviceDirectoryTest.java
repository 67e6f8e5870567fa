package dev.flywheel.verifier;

import dev.flywheel.core.crypto.SignatureScheme;
import dev.flywheel.core.proof.DeviceRecord;
import dev.flywheel.core.proof.DeviceStatus;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The verifier's device cache with its batch read-ahead (the stores are maps here: the cache logic is what is tested). */
class CachingDeviceDirectoryTest {
    private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");

    private static DeviceRecord device(String id) {
        return new DeviceRecord(id, SignatureScheme.ED25519, new byte[32], "0x" + "ab".repeat(20), DeviceStatus.ACTIVE, null);
    }

    @Test
    void aBatchIsReadTogetherOnceAndItsDenylistAnswersWithIt() {
        Map<String, DeviceRecord> store = new HashMap<>(Map.of("a", device("a"), "b", device("b")));
        AtomicInteger singleReads = new AtomicInteger();
        List<Collection<String>> bulkReads = new ArrayList<>();
        List<Collection<String>> denylistReads = new ArrayList<>();
        var directory = new CachingDeviceDirectory(id -> {
            singleReads.incrementAndGet();
            return Optional.ofNullable(store.get(id));
        }, ids -> {
            bulkReads.add(List.copyOf(ids));
            Map<String, DeviceRecord> found = new HashMap<>();
            ids.forEach(id -> {
                if (store.containsKey(id)) {
                    found.put(id, store.get(id));
                }
            });
            return found;
        }, ids -> denylistReads.add(List.copyOf(ids)), Duration.ofSeconds(30), Clock.fixed(NOW, ZoneOffset.UTC));

        directory.prefetch(List.of("a", "b", "unknown"));
        assertEquals(List.of(List.of("a", "b", "unknown")), bulkReads);
        assertEquals(List.of(List.of("a", "b", "unknown")), denylistReads, "the denylist reads ahead the same devices");
        assertTrue(directory.find("a").isPresent());
        assertTrue(directory.find("b").isPresent());
        assertEquals(0, singleReads.get(), "prefetched devices need no read of their own");

        // An unknown device is not cached: registered a moment later, it is found on its next proof.
        assertFalse(directory.find("unknown").isPresent());
        store.put("unknown", device("unknown"));
        assertTrue(directory.find("unknown").isPresent());
        assertEquals(2, singleReads.get());

        // The next batch asks only for what the cache does not hold.
        directory.prefetch(List.of("a", "b", "unknown", "c"));
        assertEquals(List.of("c"), bulkReads.getLast());
        directory.prefetch(List.of("a"));
        assertEquals(2, bulkReads.size(), "a fully cached batch reads nothing");
    }

    @Test
    void aDeviceTheBulkReadLeftOutIsReadAlone() {
        AtomicInteger singleReads = new AtomicInteger();
        var directory = new CachingDeviceDirectory(id -> {
            singleReads.incrementAndGet();
            return Optional.of(device(id));
        }, ids -> Map.of(), ids -> { }, Duration.ofSeconds(30), Clock.fixed(NOW, ZoneOffset.UTC));
        directory.prefetch(List.of("x"));
        assertTrue(directory.find("x").isPresent());
        assertEquals(1, singleReads.get());
    }
}
