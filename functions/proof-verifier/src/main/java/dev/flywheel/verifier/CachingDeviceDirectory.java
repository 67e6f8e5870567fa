package dev.flywheel.verifier;

import dev.flywheel.core.proof.DeviceRecord;
import dev.flywheel.core.verify.DeviceDirectory;

import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A warm Lambda sees the same devices batch after batch; caching them briefly saves a read per
 * proof. The TTL bounds how long a revocation takes to bite. Unknown devices are not cached, so a
 * device registered a moment ago is found on its first proof. A batch's devices not in the cache are
 * read together ({@link #prefetch}: one request per 100 devices instead of one per device), and so are
 * their denylist answers ({@code alsoPrefetch}).
 */
final class CachingDeviceDirectory implements DeviceDirectory {
    private record Entry(DeviceRecord device, long expiresAtMillis) {
    }

    private final DeviceDirectory delegate;
    private final Function<Collection<String>, Map<String, DeviceRecord>> bulk;
    private final Consumer<Collection<String>> alsoPrefetch;
    private final long ttlMillis;
    private final Clock clock;
    private final ConcurrentHashMap<String, Entry> cache = new ConcurrentHashMap<>();

    CachingDeviceDirectory(DeviceDirectory delegate, Duration ttl, Clock clock) {
        this(delegate, ids -> Map.of(), ids -> { }, ttl, clock);
    }

    /**
     * @param bulk         reads many devices at once; a device missing from its answer is read by {@code delegate}
     * @param alsoPrefetch told about the same devices (the denylist's cache)
     */
    CachingDeviceDirectory(DeviceDirectory delegate, Function<Collection<String>, Map<String, DeviceRecord>> bulk,
                           Consumer<Collection<String>> alsoPrefetch, Duration ttl, Clock clock) {
        this.delegate = delegate;
        this.bulk = bulk;
        this.alsoPrefetch = alsoPrefetch;
        this.ttlMillis = ttl.toMillis();
        this.clock = clock;
    }

    @Override
    public Optional<DeviceRecord> find(String deviceId) {
        long now = clock.millis();
        Entry e = cache.get(deviceId);
        if (e != null && e.expiresAtMillis() > now) {
            return Optional.of(e.device());
        }
        Optional<DeviceRecord> found = delegate.find(deviceId);
        found.ifPresentOrElse(d -> put(d, now), () -> cache.remove(deviceId));
        return found;
    }

    @Override
    public void prefetch(Collection<String> deviceIds) {
        long now = clock.millis();
        List<String> missing = deviceIds.stream().filter(id -> {
            Entry e = cache.get(id);
            return e == null || e.expiresAtMillis() <= now;
        }).toList();
        if (missing.isEmpty() || ttlMillis <= 0) {
            return;
        }
        bulk.apply(missing).values().forEach(d -> put(d, now));
        alsoPrefetch.accept(missing);
    }

    private void put(DeviceRecord d, long now) {
        if (cache.size() > 100_000) {
            cache.clear(); // a warm Lambda sees a bounded fleet; never let the cache grow without limit
        }
        cache.put(d.deviceId(), new Entry(d, now + ttlMillis));
    }
}
