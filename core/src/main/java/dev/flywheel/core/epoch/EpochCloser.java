package dev.flywheel.core.epoch;

import dev.flywheel.core.merkle.CumulativeMerkleTree;
import dev.flywheel.core.merkle.LeafDomain;
import dev.flywheel.core.merkle.RewardLeaf;
import dev.flywheel.core.network.NetworkConfig;
import dev.flywheel.core.reward.DeviceUnits;
import dev.flywheel.core.reward.EpochAllocation;
import dev.flywheel.core.reward.HexDensity;
import dev.flywheel.core.reward.RewardRules;
import dev.flywheel.core.reward.RewardSplit;

import java.math.BigInteger;
import java.time.Clock;
import java.time.Instant;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Closes every epoch whose end lies at least the late-data gate in the past, in order: marks it
 * closing, streams its work per device (over {@code workers} disjoint segments in parallel; the
 * merge is sorted by device id, so any number of workers gives the same result), splits each pool
 * under the rules in force for the epoch, adds the shares to lifetime totals, builds the cumulative
 * Merkle root, writes rewards, then the canonical manifest, then marks it closed. Memory grows with
 * devices, never with proofs. Every write is idempotent and the computation depends only on stored
 * inputs, so a run that dies after any write is finished by the next one with the same manifest hash.
 */
public final class EpochCloser {
    private final EpochLedger ledger;
    private final EpochWorkSource work;
    private final DeviceLocations locations;
    private final NetworkConfig config;
    private final Clock wallClock;
    private final int workers;
    private final LeafDomain domain;

    /** Reports streaming progress: segments done of all, devices read so far. */
    @FunctionalInterface
    public interface Progress {
        void update(int segmentsDone, int segments, long devices);

        Progress NONE = (done, all, devices) -> {
        };
    }

    /** Everything a close computes, before anything is written. */
    public record Computed(EpochAllocation allocation, Map<String, BigInteger> cumulative, CumulativeMerkleTree tree,
                           byte[] document, String manifestHash) {
        public String rootHex() {
            return tree == null ? null : tree.rootHex();
        }

        public BigInteger totalCumulative() {
            return cumulative.values().stream().reduce(BigInteger.ZERO, BigInteger::add);
        }
    }

    /** @param domain chain and distributor the roots are published to: every leaf is bound to them */
    public EpochCloser(EpochLedger ledger, EpochWorkSource work, DeviceLocations locations, NetworkConfig config,
                       Clock wallClock, int workers, LeafDomain domain) {
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be >= 1");
        }
        this.ledger = ledger;
        this.work = work;
        this.locations = locations;
        this.config = config;
        this.wallClock = wallClock;
        this.workers = workers;
        this.domain = domain;
    }

    /** Closes due epochs, at most {@code limit}, and returns their manifests. */
    public List<EpochManifest> closeDue(int limit) {
        EpochClock clock = config.clock();
        List<EpochManifest> closed = new ArrayList<>();
        Instant now = wallClock.instant();
        EpochLedger.Cursor cursor = ledger.cursor(clock.epochOf(clock.genesis()) - 1);
        config.checkAgainstClosed(cursor.lastClosed(), ledger.configVersion(cursor.lastClosed()).orElse(null));
        long next = cursor.lastClosed() + 1;
        while (closed.size() < limit && !clock.end(next).plus(config.lateDataGate()).isAfter(now)) {
            closed.add(close(next, cursor.lastClosed()));
            cursor = new EpochLedger.Cursor(next, cursor.lastSettled());
            next++;
        }
        return closed;
    }

    public EpochManifest close(long epoch, long previousClosed) {
        if (!ledger.beginClosing(epoch)) {
            return ledger.manifest(epoch).orElseThrow();
        }
        Computed c = compute(epoch, ledger.balances(previousClosed), Progress.NONE);
        ledger.writeRewards(c.allocation().rewards(), c.cumulative(), c.tree());
        ledger.writeManifest(epoch, c.allocation().rules().version(), c.document());
        EpochAllocation a = c.allocation();
        EpochManifest manifest = new EpochManifest(epoch, a.emission(), a.totalUnits(), a.allocated(), a.unallocated(),
                (int) a.devices().stream().filter(d -> d.rawUnits() > 0).count(), c.cumulative().size(), c.rootHex(),
                c.totalCumulative(), wallClock.instant(), c.manifestHash());
        ledger.markClosed(manifest, previousClosed);
        return manifest;
    }

    /** The close of an epoch from stored inputs, without writing: what {@code recompute} compares. */
    public Computed compute(long epoch, Map<String, BigInteger> previousBalances, Progress progress) {
        RewardRules rules = config.rulesFor(epoch);
        return compute(epoch, rules, previousBalances, progress);
    }

    public Computed compute(long epoch, RewardRules rules, Map<String, BigInteger> previousBalances, Progress progress) {
        return compute(epoch, rules, previousBalances, progress, locations);
    }

    /**
     * @param cellsAt where the devices were: the registry at close; a recompute passes the cells the manifest
     *                recorded, so a device that moved since does not change a closed epoch
     */
    public Computed compute(long epoch, RewardRules rules, Map<String, BigInteger> previousBalances, Progress progress,
                            DeviceLocations cellsAt) {
        SortedMap<String, Long> unpooled = new TreeMap<>();
        List<DeviceUnits> devices = collect(epoch, rules, unpooled, progress);
        long[] scales = null;
        Map<String, String> cells = null;
        List<String> ids = new AbstractList<>() {
            @Override
            public String get(int index) {
                return devices.get(index).deviceId();
            }

            @Override
            public int size() {
                return devices.size();
            }
        };
        if (rules.pools().stream().anyMatch(RewardRules.Pool::densityScaled)) {
            // A plain HashMap without nulls (what the ports build) is used as it is, else copied: scales() reads it
            // from several threads, and a HashMap's reads do not change it.
            Map<String, String> found = cellsAt.cells(active(epoch, rules, ids));
            if (found.getClass() == HashMap.class && !found.containsValue(null)) {
                cells = found;
            } else {
                cells = new HashMap<>(found);
                cells.values().removeIf(java.util.Objects::isNull);
            }
            scales = HexDensity.scales(rules.density(), cells, ids);
        }
        EpochAllocation a = RewardSplit.split(epoch, rules, rules.emissionFor(epoch), devices, scales, unpooled);
        TreeMap<String, BigInteger> cumulative;
        if (previousBalances instanceof SortedMap<String, BigInteger> sorted && sorted.comparator() != null) {
            // Balances in an order of their own keep it, as they always did.
            cumulative = new TreeMap<>(previousBalances);
            a.byAccount().forEach((account, amount) -> cumulative.merge(account, amount, BigInteger::add));
        } else {
            // This epoch's sums are already sorted: the copy is linear; lifetime totals are then added in (a null
            // balance stays a null entry unless the account earned now, as when the balances came first).
            cumulative = new TreeMap<>(a.byAccount());
            previousBalances.forEach((account, amount) -> {
                if (amount == null) {
                    cumulative.putIfAbsent(account, null);
                } else {
                    cumulative.merge(account, amount, BigInteger::add);
                }
            });
        }
        CumulativeMerkleTree tree = cumulative.isEmpty() ? null : CumulativeMerkleTree.of(domain,
                cumulative.entrySet().stream().map(e -> new RewardLeaf(e.getKey(), e.getValue())).toList());
        BigInteger total = cumulative.values().stream().reduce(BigInteger.ZERO, BigInteger::add);
        byte[] doc = ManifestDocument.canonicalBytes(a, tree == null ? null : tree.rootHex(), total, cells);
        return new Computed(a, cumulative, tree, doc, ManifestDocument.hash(doc));
    }

    /**
     * Devices counted for density: this epoch's (distinct ids, sorted) plus those with work in the lookback epochs
     * before it; this epoch's ids as they are when there are no lookback epochs.
     */
    private Collection<String> active(long epoch, RewardRules rules, List<String> devices) {
        long first = Math.max(config.clock().epochOf(config.clock().genesis()), epoch - rules.density().lookbackEpochs() + 1);
        if (first >= epoch) {
            return devices;
        }
        Set<String> ids = new HashSet<>(devices.size() * 2);
        ids.addAll(devices);
        for (long e = first; e < epoch; e++) {
            for (int s = 0; s < workers; s++) {
                work.forEachDevice(e, s, workers, w -> {
                    if (w.totalUnits() > 0) {
                        synchronized (ids) {
                            ids.add(w.deviceId());
                        }
                    }
                });
            }
        }
        return ids;
    }

    private List<DeviceUnits> collect(long epoch, RewardRules rules, SortedMap<String, Long> unpooled, Progress progress) {
        Map<String, Source> sources = new HashMap<>();
        for (int p = 0; p < rules.pools().size(); p++) {
            for (var e : rules.pools().get(p).sources().entrySet()) {
                sources.put(e.getKey(), new Source(p, e.getValue()));
            }
        }
        int pools = rules.pools().size();
        AtomicLong seen = new AtomicLong();
        AtomicInteger done = new AtomicInteger();
        List<List<DeviceUnits>> parts = new ArrayList<>();
        List<SortedMap<String, Long>> unpooledParts = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "epoch-close-segment");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int s = 0; s < workers; s++) {
                List<DeviceUnits> part = new ArrayList<>();
                SortedMap<String, Long> unpooledPart = new TreeMap<>();
                parts.add(part);
                unpooledParts.add(unpooledPart);
                int segment = s;
                futures.add(pool.submit(() -> {
                    work.forEachDevice(epoch, segment, workers, w -> {
                        long[] units = new long[pools];
                        long raw = 0;
                        for (var e : w.unitsByPool().entrySet()) {
                            raw = Math.addExact(raw, e.getValue());
                            Source source = sources.get(e.getKey());
                            if (source == null) {
                                unpooledPart.merge(e.getKey(), e.getValue(), Math::addExact);
                            } else {
                                units[source.pool()] = Math.addExact(units[source.pool()],
                                        Math.multiplyExact(e.getValue(), source.weight()));
                            }
                        }
                        part.add(new DeviceUnits(w.deviceId(), w.owner(), units, raw));
                        long n = seen.incrementAndGet();
                        if (n % 50_000 == 0) {
                            progress.update(done.get(), workers, n);
                        }
                    });
                    // Each segment sorted on its own worker; the merge below is linear.
                    part.sort(BY_ID);
                    progress.update(done.incrementAndGet(), workers, seen.get());
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading epoch " + epoch, e);
        } finally {
            pool.shutdownNow();
        }
        while (parts.size() > 1) {
            List<List<DeviceUnits>> merged = new ArrayList<>();
            for (int i = 0; i < parts.size(); i += 2) {
                merged.add(i + 1 < parts.size() ? merge(parts.get(i), parts.get(i + 1)) : parts.get(i));
            }
            parts = merged;
        }
        List<DeviceUnits> all = parts.getFirst();
        for (int i = 1; i < all.size(); i++) {
            if (all.get(i).deviceId().equals(all.get(i - 1).deviceId())) {
                throw new IllegalStateException("device " + all.get(i).deviceId() + " was delivered twice for epoch " + epoch);
            }
        }
        unpooledParts.forEach(m -> m.forEach((k, v) -> unpooled.merge(k, v, Math::addExact)));
        return all;
    }

    private static final Comparator<DeviceUnits> BY_ID = Comparator.comparing(DeviceUnits::deviceId);

    /** A work source's name as the rules map it: the pool's index and the source's weight in it. */
    private record Source(int pool, long weight) {
    }

    /** Two lists sorted by id into one (stable: on equal ids {@code a}'s first; the caller rejects duplicates). */
    private static List<DeviceUnits> merge(List<DeviceUnits> a, List<DeviceUnits> b) {
        List<DeviceUnits> out = new ArrayList<>(a.size() + b.size());
        int i = 0;
        int j = 0;
        while (i < a.size() && j < b.size()) {
            out.add(BY_ID.compare(a.get(i), b.get(j)) <= 0 ? a.get(i++) : b.get(j++));
        }
        out.addAll(a.subList(i, a.size()));
        out.addAll(b.subList(j, b.size()));
        a.clear();
        b.clear();
        return out;
    }
}
