package dev.flywheel.core.epoch;

import dev.flywheel.core.network.NetworkConfig;
import dev.flywheel.core.reward.RewardRules;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A closer stopped right after any one of its writes, then run again, ends where an uninterrupted run does. */
class EpochCloserCrashTest {
    private static final int EPOCHS = 3;

    @Test
    void resumingAfterACrashAtEveryWriteGivesTheUninterruptedManifestHashes() {
        Random r = new Random(42);
        RewardRules rules = RewardPropertiesTest.randomRules(r);
        InMemoryWorkSource source = new InMemoryWorkSource();
        java.util.Map<String, String> cells = new java.util.HashMap<>();
        for (long e = 0; e < EPOCHS; e++) {
            RewardPropertiesTest.Fleet f = RewardPropertiesTest.randomFleet(new Random(100 + e), e);
            cells.putAll(f.cells());
            source.byEpoch.put(e, f.work().byEpoch.getOrDefault(e, List.of()));
        }
        EpochClock clock = new EpochClock(java.time.Instant.parse("2026-01-01T00:00:00Z"), Duration.ofHours(1));
        NetworkConfig config = new NetworkConfig("t", clock.genesis(), clock.length(), Duration.ZERO, "FLY", 18, List.of(rules));
        Clock wall = Clock.fixed(clock.end(EPOCHS - 1), ZoneOffset.UTC);

        InMemoryEpochLedger reference = new InMemoryEpochLedger();
        new EpochCloser(reference, source, DeviceLocations.of(cells), config, wall, 2, new dev.flywheel.core.merkle.LeafDomain(31337, "0x00000000000000000000000000000000000000d1")).closeDue(10);
        assertEquals(EPOCHS, reference.manifests.size());
        int writesPerRun = reference.writes;
        assertEquals(4 * EPOCHS, writesPerRun, "closing, rewards, manifest, closed: per epoch");

        for (int crashAt = 1; crashAt <= writesPerRun; crashAt++) {
            InMemoryEpochLedger ledger = new InMemoryEpochLedger();
            ledger.crashAfterWrites = crashAt;
            var closer = new EpochCloser(ledger, source, DeviceLocations.of(cells), config, wall, 3, new dev.flywheel.core.merkle.LeafDomain(31337, "0x00000000000000000000000000000000000000d1"));
            assertThrows(InMemoryEpochLedger.Crash.class, () -> closer.closeDue(10));
            ledger.crashAfterWrites = Integer.MAX_VALUE;
            new EpochCloser(ledger, source, DeviceLocations.of(cells), config, wall, 1, new dev.flywheel.core.merkle.LeafDomain(31337, "0x00000000000000000000000000000000000000d1")).closeDue(10);
            for (long e = 0; e < EPOCHS; e++) {
                String at = "crash after write " + crashAt + ", epoch " + e;
                assertEquals(reference.manifests.get(e).manifestHash(), ledger.manifests.get(e).manifestHash(), at);
                assertArrayEquals(reference.documents.get(e), ledger.documents.get(e), at);
                assertEquals(reference.balances.get(e), ledger.balances.get(e), at);
                assertEquals(reference.manifests.get(e).rootHex(), ledger.manifests.get(e).rootHex(), at);
            }
            assertTrue(ledger.cursor(-1).lastClosed() == EPOCHS - 1);
        }
    }
}
