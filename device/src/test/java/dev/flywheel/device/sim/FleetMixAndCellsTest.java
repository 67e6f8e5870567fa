package dev.flywheel.device.sim;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FleetMixAndCellsTest {

    /** Counts for the four classic roles; every other role 0 (allocate names every role). */
    private static Map<DeviceRole, Integer> counts(int honest, int forger, int replayer, int outOfRange) {
        Map<DeviceRole, Integer> m = new java.util.EnumMap<>(DeviceRole.class);
        for (DeviceRole role : DeviceRole.values()) {
            m.put(role, 0);
        }
        m.putAll(Map.of(DeviceRole.HONEST, honest, DeviceRole.FORGER, forger, DeviceRole.REPLAYER, replayer,
                DeviceRole.OUT_OF_RANGE, outOfRange));
        return m;
    }

    @Test
    void allocatesProportionallyWithLargestRemainder() {
        assertEquals(counts(70, 10, 10, 10), FleetMix.DEMO.allocate(100));
        Map<DeviceRole, Integer> odd = FleetMix.of(1, 1, 1, 0).allocate(10);
        assertEquals(10, odd.values().stream().mapToInt(Integer::intValue).sum());
        assertEquals(0, odd.get(DeviceRole.OUT_OF_RANGE));
        assertTrue(odd.values().stream().allMatch(n -> n == 0 || n == 3 || n == 4), odd.toString());
    }

    @Test
    void smallFleetsStillGetEveryPositiveRole() {
        assertEquals(counts(1, 1, 1, 1), FleetMix.DEMO.allocate(4));
        Map<DeviceRole, Integer> six = FleetMix.DEMO.allocate(6);
        assertEquals(3, six.get(DeviceRole.HONEST));
        assertEquals(1, six.get(DeviceRole.FORGER));
        Map<DeviceRole, Integer> two = FleetMix.DEMO.allocate(2);
        assertEquals(2, two.values().stream().mapToInt(Integer::intValue).sum());
        assertEquals(counts(0, 0, 0, 0), FleetMix.DEMO.allocate(0));
    }

    @Test
    void parsesAndPrints() {
        FleetMix mix = FleetMix.parse("honest=8, forger=1,out-of-range=2");
        assertEquals(8, mix.weights().get(DeviceRole.HONEST));
        assertEquals(0, mix.weights().get(DeviceRole.REPLAYER));
        assertEquals(2, mix.weights().get(DeviceRole.OUT_OF_RANGE));
        assertEquals("honest=8,forger=1,out_of_range=2", mix.toString());
        assertEquals(mix, FleetMix.parse(mix.toString()));
    }

    @Test
    void parsesTheAdversarialRolesWhichTheDemoMixLeavesOut() {
        FleetMix mix = FleetMix.parse("honest=6,wrong_topic=1,teleporter=2,clock-skew=1");
        assertEquals(1, mix.weights().get(DeviceRole.WRONG_TOPIC));
        assertEquals(2, mix.weights().get(DeviceRole.TELEPORTER));
        assertEquals(1, mix.weights().get(DeviceRole.CLOCK_SKEW));
        assertEquals("honest=6,wrong_topic=1,teleporter=2,clock_skew=1", mix.toString());
        assertEquals(mix, FleetMix.parse(mix.toString()));
        assertEquals(Map.of(DeviceRole.HONEST, 6, DeviceRole.WRONG_TOPIC, 1, DeviceRole.TELEPORTER, 2, DeviceRole.CLOCK_SKEW, 1),
                withoutZeros(mix.allocate(10)));
        for (DeviceRole role : java.util.List.of(DeviceRole.WRONG_TOPIC, DeviceRole.TELEPORTER, DeviceRole.CLOCK_SKEW)) {
            assertEquals(0, FleetMix.DEMO.weights().get(role), "DemoIT asserts exact numbers for the demo mix");
        }
        var e = assertThrows(IllegalArgumentException.class, () -> FleetMix.parse("liar=1"));
        assertTrue(e.getMessage().contains("clock_skew"), e.getMessage());
    }

    private static Map<DeviceRole, Integer> withoutZeros(Map<DeviceRole, Integer> m) {
        Map<DeviceRole, Integer> out = new java.util.EnumMap<>(DeviceRole.class);
        m.forEach((k, v) -> {
            if (v != 0) {
                out.put(k, v);
            }
        });
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "honest", "honest=x", "liar=1", "honest=0", "honest=-1"})
    void rejectsBadSpecs(String spec) {
        assertThrows(IllegalArgumentException.class, () -> FleetMix.parse(spec));
    }

    @Test
    void cellsAreStructurallyValidAndShareTheAnchorsRes5Parent() {
        SplittableRandom r = new SplittableRandom(1);
        long anchor = Long.parseUnsignedLong(H3Cells.DEFAULT_ANCHOR, 16);
        for (int res = 8; res <= 12; res++) {
            for (int i = 0; i < 50; i++) {
                String cell = H3Cells.near(H3Cells.DEFAULT_ANCHOR, res, r);
                long idx = Long.parseUnsignedLong(cell, 16);
                assertEquals(15, cell.length());
                assertEquals(1, (idx >>> 59) & 0xF, "mode 1 (cell)");
                assertEquals(res, H3Cells.resolutionOf(cell));
                assertEquals((anchor >>> 45) & 0x7F, (idx >>> 45) & 0x7F, "same base cell");
                for (int digit = 1; digit <= 15; digit++) {
                    long d = (idx >>> ((15 - digit) * 3)) & 7;
                    if (digit <= 5) {
                        assertEquals((anchor >>> ((15 - digit) * 3)) & 7, d, "res-5 parent kept");
                    } else if (digit <= res) {
                        assertTrue(d < 7, "used digits are 0..6");
                    } else {
                        assertEquals(7, d, "unused digits are 7");
                    }
                }
            }
        }
        assertThrows(IllegalArgumentException.class, () -> H3Cells.near(H3Cells.DEFAULT_ANCHOR, 7, r));
    }
}
