package dev.flywheel.core.epoch;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class EpochClockTest {

    private static final Instant GENESIS = Instant.parse("2025-01-01T00:00:00Z");
    private static final EpochClock DAILY = new EpochClock(GENESIS, Duration.ofDays(1));

    @Test
    void startIsInclusiveEndIsExclusive() {
        assertEquals(0, DAILY.epochOf(GENESIS));
        assertEquals(0, DAILY.epochOf(GENESIS.plusNanos(1)));
        assertEquals(0, DAILY.epochOf(DAILY.end(0).minusMillis(1)));
        assertEquals(0, DAILY.epochOf(DAILY.end(0).minusNanos(1)));
        assertEquals(1, DAILY.epochOf(DAILY.end(0)));
        assertEquals(Instant.parse("2025-01-02T00:00:00Z"), DAILY.end(0));
        assertEquals(DAILY.start(1), DAILY.end(0));
    }

    @Test
    void everyEpochContainsItsStartButNotItsEnd() {
        for (long e = -1000; e <= 1000; e += 37) {
            assertEquals(e, DAILY.epochOf(DAILY.start(e)));
            assertEquals(e, DAILY.epochOf(DAILY.end(e).minusNanos(1)));
            assertEquals(e + 1, DAILY.epochOf(DAILY.end(e)));
            assertEquals(Duration.ofDays(1), Duration.between(DAILY.start(e), DAILY.end(e)));
        }
    }

    @Test
    void instantsBeforeGenesisFallInNegativeEpochs() {
        assertEquals(-1, DAILY.epochOf(GENESIS.minusNanos(1)));
        assertEquals(-1, DAILY.epochOf(GENESIS.minusMillis(1)));
        assertEquals(-1, DAILY.epochOf(GENESIS.minus(Duration.ofDays(1))));
        assertEquals(-2, DAILY.epochOf(GENESIS.minus(Duration.ofDays(1)).minusMillis(1)));
        assertEquals(Instant.parse("2024-12-31T00:00:00Z"), DAILY.start(-1));
        assertEquals(GENESIS, DAILY.end(-1));
    }

    @Test
    void shortEpochs() {
        EpochClock minute = new EpochClock(GENESIS, Duration.ofMinutes(1));
        assertEquals(1440, minute.epochOf(Instant.parse("2025-01-02T00:00:00Z")));
        assertEquals(1439, minute.epochOf(Instant.parse("2025-01-01T23:59:59.999Z")));
        EpochClock oneMilli = new EpochClock(GENESIS, Duration.ofMillis(1));
        assertEquals(-1, oneMilli.epochOf(GENESIS.minusNanos(1)));
        assertEquals(5, oneMilli.epochOf(GENESIS.plusNanos(5_999_999)));
    }

    @Test
    void genesisWithSubMillisecondPart() {
        Instant g = GENESIS.plusNanos(500_000);
        EpochClock c = new EpochClock(g, Duration.ofSeconds(10));
        assertEquals(0, c.epochOf(g));
        assertEquals(-1, c.epochOf(g.minusNanos(1)));
        assertEquals(1, c.epochOf(c.end(0)));
        assertEquals(0, c.epochOf(c.end(0).minusNanos(1)));
    }

    @ParameterizedTest
    @ValueSource(longs = {0, -1, -86_400_000})
    void nonPositiveLengthsAreRejected(long millis) {
        assertThrows(IllegalArgumentException.class, () -> new EpochClock(GENESIS, Duration.ofMillis(millis)));
    }

    @Test
    void subMillisecondLengthsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new EpochClock(GENESIS, Duration.ofNanos(1)));
        assertThrows(IllegalArgumentException.class, () -> new EpochClock(GENESIS, Duration.ofNanos(999_999)));
        assertThrows(IllegalArgumentException.class, () -> new EpochClock(GENESIS, Duration.ofMillis(1500).plusNanos(1)));
        new EpochClock(GENESIS, Duration.ofNanos(1_000_000));
    }

    @Test
    void startOverflowIsReportedNotWrapped() {
        assertThrows(ArithmeticException.class, () -> DAILY.start(Long.MAX_VALUE / 1000));
    }
}
