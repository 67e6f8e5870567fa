package dev.flywheel.core.epoch;

import dev.flywheel.core.merkle.CumulativeMerkleTree;
import dev.flywheel.core.reward.EpochRewards;

import java.math.BigInteger;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An EpochLedger in memory for core tests (no server can stand in for a core port). {@link #crashAfterWrites}
 * makes the n-th write throw after it took effect, as a process dying right after a write would.
 */
final class InMemoryEpochLedger implements EpochLedger {
    final Map<Long, String> status = new HashMap<>();
    final Map<Long, Map<String, BigInteger>> balances = new HashMap<>();
    final Map<Long, EpochRewards> rewards = new HashMap<>();
    final Map<Long, byte[]> documents = new HashMap<>();
    final Map<Long, String> versions = new HashMap<>();
    final Map<Long, EpochManifest> manifests = new HashMap<>();
    Cursor cursor;
    int writes;
    int crashAfterWrites = Integer.MAX_VALUE;

    static final class Crash extends RuntimeException {
        Crash(int n) {
            super("crash after write " + n);
        }
    }

    private void wrote() {
        writes++;
        if (writes == crashAfterWrites) {
            throw new Crash(writes);
        }
    }

    @Override
    public Cursor cursor(long initialEpoch) {
        return cursor == null ? new Cursor(initialEpoch, initialEpoch) : cursor;
    }

    @Override
    public boolean beginClosing(long epoch) {
        String s = status.get(epoch);
        if (s != null && !s.equals("CLOSING")) {
            return false;
        }
        status.put(epoch, "CLOSING");
        wrote();
        return true;
    }

    @Override
    public Map<String, BigInteger> balances(long epoch) {
        return new TreeMap<>(balances.getOrDefault(epoch, Map.of()));
    }

    @Override
    public void writeRewards(EpochRewards r, Map<String, BigInteger> cumulative, CumulativeMerkleTree tree) {
        rewards.put(r.epoch(), r);
        balances.put(r.epoch(), new TreeMap<>(cumulative));
        wrote();
    }

    @Override
    public void writeManifest(long epoch, String configVersion, byte[] document) {
        documents.put(epoch, document.clone());
        versions.put(epoch, configVersion);
        wrote();
    }

    @Override
    public Optional<byte[]> manifestDocument(long epoch) {
        return Optional.ofNullable(documents.get(epoch));
    }

    @Override
    public Optional<String> configVersion(long epoch) {
        return Optional.ofNullable(versions.get(epoch));
    }

    @Override
    public void markClosed(EpochManifest manifest, long previousClosed) {
        if (!"CLOSING".equals(status.get(manifest.epoch()))) {
            throw new IllegalStateException("not closing");
        }
        status.put(manifest.epoch(), "CLOSED");
        manifests.put(manifest.epoch(), manifest);
        cursor = new Cursor(manifest.epoch(), cursor == null ? previousClosed : cursor.lastSettled());
        wrote();
    }

    @Override
    public Optional<EpochManifest> manifest(long epoch) {
        return Optional.ofNullable(manifests.get(epoch));
    }

    @Override
    public void markSettled(long epoch, String txHash, long previousSettled) {
        cursor = new Cursor(cursor.lastClosed(), epoch);
    }
}
