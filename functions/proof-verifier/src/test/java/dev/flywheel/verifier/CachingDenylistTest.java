package dev.flywheel.verifier;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CachingDenylistTest {

    /** A clock the test moves by hand. */
    private static final class ManualClock extends Clock {
        Instant now = Instant.parse("2026-11-25T12:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void bothAnswersAreCachedForTheTtlThenReadAgain() {
        Set<String> denied = new HashSet<>(Set.of("bad"));
        AtomicInteger reads = new AtomicInteger();
        ManualClock clock = new ManualClock();
        var cache = new CachingDenylist(id -> {
            reads.incrementAndGet();
            return denied.contains(id);
        }, Duration.ofSeconds(30), clock);

        assertTrue(cache.test("bad"));
        assertFalse(cache.test("good"));
        assertTrue(cache.test("bad"));
        assertFalse(cache.test("good"));
        assertEquals(2, reads.get(), "a hit and a miss are both cached");

        denied.remove("bad");
        denied.add("good");
        clock.now = clock.now.plusSeconds(29);
        assertTrue(cache.test("bad"), "within the TTL the old answer stands");
        clock.now = clock.now.plusSeconds(1);
        assertFalse(cache.test("bad"));
        assertTrue(cache.test("good"));
        assertEquals(4, reads.get());
    }

    @Test
    void aBatchsAnswersAreReadTogetherAndUnansweredOnesAlone() {
        AtomicInteger singleReads = new AtomicInteger();
        List<List<String>> bulkReads = new ArrayList<>();
        var cache = new CachingDenylist(id -> {
            singleReads.incrementAndGet();
            return id.equals("late-bad");
        }, ids -> {
            bulkReads.add(List.copyOf(ids));
            // "late-bad" left unanswered (DynamoDB's unprocessed keys): it must be asked alone, never assumed allowed.
            return Map.of("bad", true, "good", false);
        }, Duration.ofSeconds(30), new ManualClock());
        cache.prefetch(List.of("bad", "good", "late-bad"));
        assertTrue(cache.test("bad"));
        assertFalse(cache.test("good"));
        assertEquals(0, singleReads.get());
        assertTrue(cache.test("late-bad"));
        assertEquals(1, singleReads.get());
        cache.prefetch(List.of("bad", "good", "late-bad"));
        assertEquals(1, bulkReads.size(), "every answer is cached now");
    }

    @Test
    void aZeroTtlReadsEveryTime() {
        AtomicInteger reads = new AtomicInteger();
        var cache = new CachingDenylist(id -> reads.incrementAndGet() > 0, Duration.ZERO, Clock.systemUTC());
        cache.test("a");
        cache.test("a");
        assertEquals(2, reads.get());
    }
}
