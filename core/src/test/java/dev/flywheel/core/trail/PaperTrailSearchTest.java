package dev.flywheel.core.trail;

import dev.flywheel.core.epoch.EpochClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PaperTrailSearchTest {
    private static final EpochClock DAILY = new EpochClock(Instant.parse("2026-01-01T00:00:00Z"), Duration.ofDays(1));

    @Test
    void daysRunFromTheDayBeforeTheEpochThroughItsEndDay() {
        PaperTrailSearch.Query q = PaperTrailSearch.Query.of("dev-1", 3, DAILY);
        // Epoch 3 runs 2026-01-04T00:00 to 2026-01-05T00:00: its end instant's day is read too.
        assertEquals(List.of(LocalDate.parse("2026-01-03"), LocalDate.parse("2026-01-04"), LocalDate.parse("2026-01-05")), q.days());
        assertEquals("SELECT DISTINCT deliveryid, proofid, seq, prooftype, units, receivedat FROM verdicts WHERE dt BETWEEN "
                + "'2026-01-03' AND '2026-01-05' AND device = 'dev-1' AND epoch = 3 AND outcome = 'accepted' "
                + "ORDER BY receivedat, deliveryid LIMIT 1001", q.sql());
    }

    @Test
    void aDeviceIdThatCouldAlterTheSqlIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> PaperTrailSearch.Query.of("x' OR '1'='1", 0, DAILY));
    }

    @Test
    void foldKeepsOneLinePerDeliveryPreferringTheFirstRecordingSortedByReceiveTime() {
        Instant t = Instant.parse("2026-01-04T10:00:00Z");
        var a = new PaperTrailSearch.AcceptedProof("d-a", "p-a", 1, "sensor", 1, t.plusSeconds(5));
        var aAgain = new PaperTrailSearch.AcceptedProof("d-a", "p-a", 1, "sensor", 99, t.plusSeconds(5));
        var b = new PaperTrailSearch.AcceptedProof("d-b", "p-b", 2, "sensor", 2, t);
        PaperTrailSearch.Found found = PaperTrailSearch.fold(List.of(new PaperTrailSearch.Line(aAgain, false),
                new PaperTrailSearch.Line(b, true), new PaperTrailSearch.Line(a, true), new PaperTrailSearch.Line(aAgain, false)));
        assertEquals(List.of(b, a), found.proofs());
        assertEquals(3, found.units());
        assertFalse(found.truncated());
    }

    @Test
    void moreThanTheCapIsTruncatedToTheEarliest() {
        Instant t = Instant.parse("2026-01-04T10:00:00Z");
        List<PaperTrailSearch.Line> lines = new ArrayList<>();
        for (int i = PaperTrailSearch.CAP; i >= 0; i--) {
            lines.add(new PaperTrailSearch.Line(new PaperTrailSearch.AcceptedProof("d-" + i, "p", i, "sensor", 1,
                    t.plusMillis(i)), true));
        }
        PaperTrailSearch.Found found = PaperTrailSearch.fold(lines);
        assertTrue(found.truncated());
        assertEquals(PaperTrailSearch.CAP, found.proofs().size());
        assertEquals("d-0", found.proofs().get(0).deliveryId());
    }
}
