package dev.flywheel.benchmarks;

import dev.flywheel.core.epoch.DeviceLocations;
import dev.flywheel.core.epoch.DeviceWork;
import dev.flywheel.core.epoch.EpochCloser;
import dev.flywheel.core.epoch.EpochLedger;
import dev.flywheel.core.epoch.EpochManifest;
import dev.flywheel.core.epoch.EpochWorkSource;
import dev.flywheel.core.geo.H3Native;
import dev.flywheel.core.merkle.CumulativeMerkleTree;
import dev.flywheel.core.network.NetworkConfig;
import dev.flywheel.core.network.NetworkConfigLoader;
import dev.flywheel.core.reward.EpochRewards;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.math.BigInteger;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Epoch close at scale in one JVM: {@code devices} devices and {@code proofs} verified proofs held as
 * compact in-memory arrays behind an {@link EpochWorkSource} (which sums each device's proofs per pool
 * as the DynamoDB reader does), closed by the unchanged {@link EpochCloser} under config/network.json
 * (five pools, cuts, density-scaled beacon and witness pools with HIP-17 limits and device caps), into an
 * in-memory ledger. Prints wall time, peak heap and proofs/s. Usage:
 * {@code java -Xmx4g -cp benchmarks.jar dev.flywheel.benchmarks.EpochCloseBenchmark [devices] [proofs] [workers]}.
 */
public final class EpochCloseBenchmark {
    /** Work sources as config/network.json's pools name them (beacon and witness: density-scaled, capped). */
    private static final String[] POOLS = {"sensor.reading", "uptime.response", "mobility.trace", "coverage.beacon", "coverage.witness"};

    public static void main(String[] args) {
        int devices = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        long proofs = args.length > 1 ? Long.parseLong(args[1]) : 10_000_000L;
        int workers = args.length > 2 ? Integer.parseInt(args[2]) : Runtime.getRuntime().availableProcessors();
        NetworkConfig config = NetworkConfigLoader.packaged();
        long epoch = 1;

        System.err.printf("generating %,d devices and %,d proofs%n", devices, proofs);
        Fleet fleet = Fleet.generate(devices, proofs, new Random(7));
        Clock wall = Clock.fixed(config.clock().end(epoch).plus(config.lateDataGate()), ZoneOffset.UTC);
        MemoryLedger ledger = new MemoryLedger();
        ledger.cursor = new EpochLedger.Cursor(epoch - 1, epoch - 1);
        System.gc();
        long baseline = usedHeap();
        resetPeaks();

        long cpuStart = cpuNanos();
        long start = System.nanoTime();
        List<EpochManifest> closed = new EpochCloser(ledger, fleet, DeviceLocations.of(fleet.cells), config, wall, workers, new dev.flywheel.core.merkle.LeafDomain(80002, "0x00000000000000000000000000000000000000d1"))
                .closeDue(1);
        long nanos = System.nanoTime() - start;
        long cpu = cpuNanos() - cpuStart;
        long peak = peakHeap();

        EpochManifest m = closed.getFirst();
        double seconds = nanos / 1e9;
        System.out.println("epoch close benchmark (EpochCloser over an in-memory EpochWorkSource, config/network.json)");
        System.out.printf("  devices            %,d (%,d rewarded, %,d owners)%n", devices, m.rewardedDevices(), m.owners());
        System.out.printf("  verified proofs    %,d%n", proofs);
        System.out.printf("  workers            %d on %d cores%n", workers, Runtime.getRuntime().availableProcessors());
        System.out.printf("  wall time          %.2f s   (goal <= 20 s)%n", seconds);
        // On a shared machine wall time includes waiting for the CPU; CPU time is the work itself.
        System.out.printf("  process CPU time   %.2f s   (%.2f s per core; load average at start %.1f)%n", cpu / 1e9,
                cpu / 1e9 / Runtime.getRuntime().availableProcessors(), ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        System.out.printf("  peak heap          %,d MB  (goal <= 4096 MB; fleet arrays before the close: %,d MB)%n",
                peak >> 20, baseline >> 20);
        System.out.printf("  throughput         %,.0f proofs/s, %,.0f devices/s%n", proofs / seconds, devices / seconds);
        System.out.printf("  manifest           %,d bytes, %s%n", ledger.document.length, m.manifestHash());
        System.out.printf("  emission           %s = allocated %s + unallocated %s%n", m.emission(), m.allocated(), m.unallocated());
    }

    /** Proofs sorted by device: device d owns proofs [offset[d], offset[d+1]), each a pool index with one unit. */
    static final class Fleet implements EpochWorkSource {
        final String[] ids;
        final String[] owners;
        final int[] offset;
        final byte[] pool;
        final Map<String, String> cells = new HashMap<>();

        private Fleet(int devices, long proofs) {
            ids = new String[devices];
            owners = new String[devices];
            offset = new int[devices + 1];
            pool = new byte[Math.toIntExact(proofs)];
        }

        static Fleet generate(int devices, long proofs, Random r) {
            Fleet f = new Fleet(devices, proofs);
            String[] ownerPool = new String[Math.max(1, devices / 4)];
            for (int o = 0; o < ownerPool.length; o++) {
                ownerPool[o] = String.format("0x%040x", o + 1);
            }
            long assigned = 0;
            for (int d = 0; d < devices; d++) {
                f.ids[d] = String.format("dev-%08d", d);
                f.owners[d] = ownerPool[r.nextInt(ownerPool.length)];
                f.offset[d] = (int) assigned;
                long mine = d == devices - 1 ? proofs - assigned : Math.min(proofs - assigned, r.nextInt((int) (2 * proofs / devices) + 1));
                int kind = r.nextInt(POOLS.length);
                for (long p = 0; p < mine; p++) {
                    f.pool[(int) (assigned + p)] = (byte) (r.nextInt(4) == 0 ? r.nextInt(POOLS.length) : kind);
                }
                assigned += mine;
                // Devices spread over a metro area (about 1 degree square): dense cores, sparse edges.
                double lat = 37.0 + Math.abs(r.nextGaussian()) * 0.3;
                double lng = -122.5 + Math.abs(r.nextGaussian()) * 0.3;
                f.cells.put(f.ids[d], H3Native.get().latLngToCellAddress(lat, lng, 12));
            }
            f.offset[devices] = (int) assigned;
            return f;
        }

        @Override
        public void forEachDevice(long epoch, int segment, int segments, Consumer<DeviceWork> sink) {
            long[] units = new long[POOLS.length];
            for (int d = segment; d < ids.length; d += segments) {
                java.util.Arrays.fill(units, 0);
                for (int p = offset[d]; p < offset[d + 1]; p++) {
                    units[pool[p]]++;
                }
                TreeMap<String, Long> byPool = new TreeMap<>();
                for (int k = 0; k < POOLS.length; k++) {
                    if (units[k] > 0) {
                        byPool.put(POOLS[k], units[k]);
                    }
                }
                if (!byPool.isEmpty()) {
                    sink.accept(new DeviceWork(ids[d], owners[d], byPool));
                }
            }
        }
    }

    /** Keeps only what a close writes, so the figures are the closer's. */
    static final class MemoryLedger implements EpochLedger {
        Cursor cursor;
        byte[] document;
        EpochManifest manifest;

        @Override
        public Cursor cursor(long initialEpoch) {
            return cursor;
        }

        @Override
        public boolean beginClosing(long epoch) {
            return true;
        }

        @Override
        public Map<String, BigInteger> balances(long epoch) {
            return Map.of();
        }

        @Override
        public void writeRewards(EpochRewards rewards, Map<String, BigInteger> cumulative, CumulativeMerkleTree tree) {
        }

        @Override
        public void writeManifest(long epoch, String configVersion, byte[] canonicalDocument) {
            document = canonicalDocument;
        }

        @Override
        public Optional<byte[]> manifestDocument(long epoch) {
            return Optional.ofNullable(document);
        }

        @Override
        public Optional<String> configVersion(long epoch) {
            return Optional.empty();
        }

        @Override
        public void markClosed(EpochManifest m, long previousClosed) {
            manifest = m;
            cursor = new Cursor(m.epoch(), cursor.lastSettled());
        }

        @Override
        public Optional<EpochManifest> manifest(long epoch) {
            return Optional.ofNullable(manifest);
        }

        @Override
        public void markSettled(long epoch, String txHash, long previousSettled) {
        }
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    private static void resetPeaks() {
        ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
    }

    /** Sum of the heap pools' peaks since the reset (an upper bound: pools peak at different moments). */
    private static long peakHeap() {
        long sum = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP && p.getPeakUsage() != null) {
                sum += p.getPeakUsage().getUsed();
            }
        }
        return sum;
    }
}
