package dev.flywheel.verifier;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The operator denylist as the verifier asks it: once per proof. Both answers are cached for a short
 * TTL (almost every device is <em>not</em> denylisted, so caching only hits would cost a read per proof);
 * the TTL bounds how long adding or removing an entry takes to bite in a warm Lambda.
 */
final class CachingDenylist implements Predicate<String> {
    private record Entry(boolean denied, long expiresAtMillis) {
    }

    private final Predicate<String> delegate;
    private final long ttlMillis;
    private final Clock clock;
    private final ConcurrentHashMap<String, Entry> cache = new ConcurrentHashMap<>();

    CachingDenylist(Predicate<String> delegate, Duration ttl, Clock clock) {
        this.delegate = delegate;
        this.ttlMillis = ttl.toMillis();
        this.clock = clock;
    }

    @Override
    public boolean test(String deviceId) {
        long now = clock.millis();
        Entry e = cache.get(deviceId);
        if (e != null && e.expiresAtMillis() > now) {
            return e.denied();
        }
        boolean denied = delegate.test(deviceId);
        if (ttlMillis > 0) {
            if (cache.size() > 100_000) {
                cache.clear(); // a warm Lambda sees a bounded fleet; never let the cache grow without limit
            }
            cache.put(deviceId, new Entry(denied, now + ttlMillis));
        }
        return denied;
    }
}
