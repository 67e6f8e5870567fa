package dev.flywheel.verifier;

import dev.flywheel.core.verify.DeviceDirectory;
import dev.flywheel.core.proof.DeviceRecord;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A warm Lambda sees the same devices batch after batch; caching them briefly saves a read per
 * proof. The TTL bounds how long a revocation takes to bite. Unknown devices are not cached, so a
 * device registered a moment ago is found on its first proof.
 */
final class CachingDeviceDirectory implements DeviceDirectory {
    private record Entry(DeviceRecord device, long expiresAtMillis) {
    }

    private final DeviceDirectory delegate;
    private final long ttlMillis;
    private final Clock clock;
    private final ConcurrentHashMap<String, Entry> cache = new ConcurrentHashMap<>();

    CachingDeviceDirectory(DeviceDirectory delegate, Duration ttl, Clock clock) {
        this.delegate = delegate;
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
        found.ifPresentOrElse(d -> cache.put(deviceId, new Entry(d, now + ttlMillis)), () -> cache.remove(deviceId));
        return found;
    }
}
