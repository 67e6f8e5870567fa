package dev.flywheel.core.types.coverage;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** HIP-15 units under parameters a network configures (config/network.json {@code coverageUnits}). */
class Hip15ParamsTest {

    @Test
    void theDefaultsAreHeliumsValues() {
        for (int n = 0; n <= 30; n++) {
            assertEquals(Hip15.beaconerMicros(n), Hip15.Params.DEFAULT.beaconerMicros(n), "beaconer n=" + n);
            assertEquals(Hip15.witnessMicros(n), Hip15.Params.DEFAULT.witnessMicros(n), "witness n=" + n);
        }
        assertEquals(new Hip15.Params(4, 8000, 2), Hip15.Params.DEFAULT);
    }

    @Test
    void otherParametersFollowTheGeneralFormula() {
        // redundancy 3, decay 0.5, cap 3: beaconer n/3 up to 3, then 3 - 0.5^(n-3); witness 1, then (3 - (1 - 0.5^(n-3))) / n
        Hip15.Params p = new Hip15.Params(3, 5000, 3);
        assertEquals(666_666, p.beaconerMicros(2));            // 2/3, floored
        assertEquals(1_000_000, p.beaconerMicros(3));
        assertEquals(2_500_000, p.beaconerMicros(4));          // 3 - 0.5
        assertEquals(2_750_000, p.beaconerMicros(5));          // 3 - 0.25
        assertEquals(1_000_000, p.witnessMicros(3));
        assertEquals(625_000, p.witnessMicros(4));             // (2 + 0.5) / 4
        assertEquals(450_000, p.witnessMicros(5));             // (2 + 0.25) / 5
        for (int n = 4; n <= 40; n++) {
            double beaconer = 3 - Math.pow(0.5, n - 3);
            double witness = (3 - (1 - Math.pow(0.5, n - 3))) / n;
            assertTrue(Math.abs(p.beaconerMicros(n) - beaconer * 1e6) < 1.0001, "beaconer n=" + n);
            assertTrue(Math.abs(p.witnessMicros(n) - witness * 1e6) < 1.0001, "witness n=" + n);
            assertTrue(p.beaconerMicros(n) < 3_000_000, "below the cap");
        }
    }

    @Test
    void parametersOutOfRangeAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Hip15.Params(0, 8000, 2));
        assertThrows(IllegalArgumentException.class, () -> new Hip15.Params(4, 10_000, 2));
        assertThrows(IllegalArgumentException.class, () -> new Hip15.Params(4, 0, 2));
        assertThrows(IllegalArgumentException.class, () -> new Hip15.Params(4, 8000, 0));
    }
}
