package dev.flywheel.core.entropy;

import dev.flywheel.core.crypto.Encoding;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class EntropyBeaconTest {
    private static final byte[] BLOCK = Encoding.fromHex("11".repeat(32));
    private static final EntropyBeacon BEACON = new EntropyBeacon("flywheel-80002", EntropyBeacon.DEFAULT_PERIOD);

    @Test
    void vectorIsSha256OfPeriodStartBlockHashAndNetwork() {
        // Computed independently: python3 hashlib.sha256(struct.pack('>Q', 1795608000) + b'\x11'*32 + b'flywheel-80002')
        NetworkEntropy e = BEACON.derive(Instant.parse("2026-11-25T12:00:42.999Z"), BLOCK, 7);
        assertEquals("91489a083f1fd6adc0e238a419a1c32934bc37c6f63649f301b422724eebe2c7", e.entropyHex());
        assertEquals(Instant.parse("2026-11-25T12:00:00Z"), e.issuedAt());
        assertEquals(1795608000L / 60, e.period());
        assertEquals("0x" + "11".repeat(32), e.blockHashHex());
        assertEquals(7, e.blockNumber());
    }

    @Test
    void sameWithinAPeriodDifferentAcrossPeriods() {
        Instant start = Instant.parse("2026-11-25T12:00:00Z");
        NetworkEntropy first = BEACON.derive(start, BLOCK, 1);
        assertEquals(first, BEACON.derive(start.plusMillis(59_999), BLOCK, 1), "one value per period");
        NetworkEntropy next = BEACON.derive(start.plusSeconds(60), BLOCK, 1);
        assertNotEquals(first.entropyHex(), next.entropyHex());
        assertEquals(first.period() + 1, next.period());
        assertEquals(start.plusSeconds(60), next.issuedAt());
        assertEquals(first, BEACON.derive(start.minusMillis(1).plusMillis(1), BLOCK, 1));
        assertEquals(first.period() - 1, BEACON.periodOf(start.minusMillis(1)));
    }

    @Test
    void blockAndNetworkChangeTheValue() {
        Instant at = Instant.parse("2026-11-25T12:00:00Z");
        String base = BEACON.derive(at, BLOCK, 1).entropyHex();
        byte[] other = BLOCK.clone();
        other[31] ^= 1;
        assertNotEquals(base, BEACON.derive(at, other, 1).entropyHex());
        assertNotEquals(base, new EntropyBeacon("flywheel-137", EntropyBeacon.DEFAULT_PERIOD).derive(at, BLOCK, 1).entropyHex());
    }

    @Test
    void rejectsBadInput() {
        assertThrows(IllegalArgumentException.class, () -> BEACON.derive(Instant.EPOCH, new byte[31], 1));
        assertThrows(IllegalArgumentException.class, () -> new EntropyBeacon("", EntropyBeacon.DEFAULT_PERIOD));
        assertThrows(IllegalArgumentException.class, () -> new EntropyBeacon("n", Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new EntropyBeacon("n", Duration.ofMillis(1500)));
    }

    @Test
    void periodsBeforeTheEpochFloor() {
        assertEquals(-1, BEACON.periodOf(Instant.ofEpochSecond(-1)));
        assertEquals(Instant.ofEpochSecond(-60), BEACON.periodStart(-1));
    }
}
