package dev.flywheel.core.entropy;

import dev.flywheel.core.proof.PlausibilityChecks.Failure;
import dev.flywheel.core.proof.ReasonCode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EntropyWindowTest {
    private static final String KNOWN = "ab".repeat(32);
    private static final Instant ISSUED = Instant.parse("2026-11-25T12:00:00Z");
    private static final EntropyWindow WINDOW =
            EntropyWindow.defaults(hex -> Optional.ofNullable(Map.of(KNOWN, ISSUED).get(hex)));

    @Test
    void defaultIs180Seconds() {
        assertEquals(Duration.ofSeconds(180), WINDOW.maxAge());
    }

    @Test
    void boundariesAreInclusive() {
        assertTrue(WINDOW.check(KNOWN, ISSUED).isEmpty(), "age 0");
        assertTrue(WINDOW.check(KNOWN, ISSUED.plusMillis(180_000)).isEmpty(), "age exactly 180 000 ms");
        Optional<Failure> late = WINDOW.check(KNOWN, ISSUED.plusMillis(180_001));
        assertEquals(ReasonCode.ENTROPY_STALE, late.orElseThrow().reason(), "age 180 001 ms");
        assertEquals(180_001L, late.get().evidence().get("entropyAgeMillis"));
        assertEquals(180_000L, late.get().evidence().get("limitMillis"));
        assertEquals(ISSUED.toEpochMilli(), late.get().evidence().get("entropyIssuedAt"));
    }

    @Test
    void issuedAfterArrivalIsNotUsable() {
        Optional<Failure> early = WINDOW.check(KNOWN, ISSUED.minusMillis(1));
        assertEquals(ReasonCode.ENTROPY_UNKNOWN, early.orElseThrow().reason());
        assertEquals(-1L, early.get().evidence().get("entropyAgeMillis"));
        assertFalse(EntropyWindow.usable(ISSUED, ISSUED.minusMillis(1), Duration.ofSeconds(180)));
    }

    @Test
    void unpublishedEntropyIsUnknown() {
        assertEquals(ReasonCode.ENTROPY_UNKNOWN, WINDOW.check("cd".repeat(32), ISSUED).orElseThrow().reason());
    }

    @Test
    void windowIsConfigurable() {
        EntropyWindow tight = new EntropyWindow(hex -> Optional.of(ISSUED), Duration.ofSeconds(10));
        assertTrue(tight.check(KNOWN, ISSUED.plusMillis(10_000)).isEmpty());
        assertEquals(ReasonCode.ENTROPY_STALE, tight.check(KNOWN, ISSUED.plusMillis(10_001)).orElseThrow().reason());
        assertTrue(EntropyWindow.usable(ISSUED, ISSUED.plusSeconds(180), Duration.ofSeconds(180)));
        assertFalse(EntropyWindow.usable(ISSUED, ISSUED.plusSeconds(180).plusNanos(1_000_000), Duration.ofSeconds(180)));
    }
}
