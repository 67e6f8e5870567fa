package dev.flywheel.core.types.mobility;

import dev.flywheel.core.geo.H3Index;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class H3CoverageTest {
    private static final long T0 = 1_764_072_000_000L;

    private static GnssFix fix(long t, int lat, int lng) {
        return new GnssFix(t, lat, lng, 9, 10, "3d");
    }

    @Test
    void knownCell() {
        // The H3 documentation's example point (San Francisco) at resolution 9.
        LocationTrace t = new LocationTrace(List.of(fix(T0, 377_759_387, -1_224_179_506)));
        assertEquals(Set.of("8928308280fffff"), H3Coverage.res9().cells(t));
    }

    @Test
    void countsDistinctCellsNotFixes() {
        List<GnssFix> back = new ArrayList<>();
        // 2.2 km north and back again over the same road: the return visits no new cell.
        for (int i = 0; i <= 100; i++) {
            back.add(fix(T0 + i * 1000L, 473_977_418 + i * 2000, 85_455_938));
        }
        for (int i = 1; i <= 100; i++) {
            back.add(fix(T0 + (100 + i) * 1000L, 473_977_418 + (100 - i) * 2000, 85_455_938));
        }
        LocationTrace there = new LocationTrace(back.subList(0, 101));
        LocationTrace thereAndBack = new LocationTrace(back.subList(0, 120));
        Set<String> cells = H3Coverage.res9().cells(there);
        // Resolution-9 edges are about 174 m: 2.2 km crosses roughly 7 to 15 cells.
        assertTrue(cells.size() >= 7 && cells.size() <= 15, cells.toString());
        for (String c : cells) {
            assertTrue(H3Index.isValidCell(c), c);
            assertEquals(9, H3Index.resolution(c));
        }
        assertTrue(H3Coverage.res9().cells(thereAndBack).size() <= cells.size());
        assertEquals(1, H3Coverage.res9().applyAsLong(new LocationTrace(back.subList(0, 1))));
    }

    @Test
    void coarserResolutionCountsFewerCells() {
        List<GnssFix> fixes = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            fixes.add(fix(T0 + i * 1000L, 473_977_418 + i * 3000, 85_455_938 + i * 3000));
        }
        LocationTrace t = new LocationTrace(fixes);
        assertTrue(new H3Coverage(7).applyAsLong(t) < H3Coverage.res9().applyAsLong(t));
        assertThrows(IllegalArgumentException.class, () -> new H3Coverage(16));
    }
}
