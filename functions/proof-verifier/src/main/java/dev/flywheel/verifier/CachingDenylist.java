package dev.flywheel.verifier;

import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
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
    private final Function<Collection<String>, Map<String, Boolean>> bulk;
    private final long ttlMillis;
    private final Clock clock;
    private final ConcurrentHashMap<String, Entry> cache = new ConcurrentHashMap<>();

    CachingDenylist(Predicate<String> delegate, Duration ttl, Clock clock) {
        this(delegate, ids -> Map.of(), ttl, clock);
    }

    /** @param bulk answers many devices at once (true: denied); a device it does not answer is asked of {@code delegate} */
    CachingDenylist(Predicate<String> delegate, Function<Collection<String>, Map<String, Boolean>> bulk, Duration ttl, Clock clock) {
        this.delegate = delegate;
        this.bulk = bulk;
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
        put(deviceId, denied, now);
        return denied;
    }

    /** Reads the answers for a batch's devices not cached, together. */
    void prefetch(Collection<String> deviceIds) {
        long now = clock.millis();
        List<String> missing = deviceIds.stream().filter(id -> {
            Entry e = cache.get(id);
            return e == null || e.expiresAtMillis() <= now;
        }).toList();
        if (!missing.isEmpty() && ttlMillis > 0) {
            bulk.apply(missing).forEach((id, denied) -> put(id, denied, now));
        }
    }

    private void put(String deviceId, boolean denied, long now) {
        if (ttlMillis > 0) {
            if (cache.size() > 100_000) {
                cache.clear(); // a warm Lambda sees a bounded fleet; never let the cache grow without limit
            }
            cache.put(deviceId, new Entry(denied, now + ttlMillis));
        }
    }
}
