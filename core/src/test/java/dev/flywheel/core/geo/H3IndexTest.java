package dev.flywheel.core.geo;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class H3IndexTest {
    @Test
    void acceptsRealCellsAtTheirResolution() {
        // Cells from the H3 documentation and its test suite.
        assertTrue(H3Index.isValidCell("8a2a1072b59ffff"));
        assertEquals(10, H3Index.resolution("8a2a1072b59ffff"));
        assertTrue(H3Index.isValidCell("85283473fffffff"));
        assertEquals(5, H3Index.resolution("85283473fffffff"));
        assertTrue(H3Index.isValidCell("8001fffffffffff"));
        assertEquals(0, H3Index.resolution("8001fffffffffff"));
    }

    @Test
    void rejectsMalformedIndexes() {
        assertFalse(H3Index.isValidCell(null));
        assertFalse(H3Index.isValidCell("8C2A1072B59FFFF"), "upper case");
        assertFalse(H3Index.isValidCell("8c2a1072b59fff"), "14 digits");
        assertFalse(H3Index.isValidCell("fffffffffffffff"), "mode bits");
        assertFalse(H3Index.isValidCell("85283473ffffff0"), "digit past the resolution not 7");
        assertFalse(H3Index.isValidCell("8c2a1072b59ffff"), "resolution 12 but digits 11 and 12 unused");
        assertFalse(H3Index.isValidCell("80f5fffffffffff"), "base cell 122");
        assertFalse(H3Index.isValidCell("852834f3fffffff"), "digit 7 inside the resolution");
    }
}
