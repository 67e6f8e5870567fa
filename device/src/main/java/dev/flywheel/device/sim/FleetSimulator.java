package dev.flywheel.device.sim;

import dev.flywheel.core.crypto.DeviceSigningKey;
import dev.flywheel.core.proof.MalformedProofException;
import dev.flywheel.core.proof.ProofCodec;
import dev.flywheel.device.mqtt.DeviceClient;
import dev.flywheel.device.mqtt.MqttEndpoint;
import dev.flywheel.device.mqtt.Receipt;
import dev.flywheel.device.mqtt.ReceiptListener;
import dev.flywheel.device.pki.CertificateFiles;
import dev.flywheel.device.pki.IssuedCertificate;
import dev.flywheel.device.pki.LocalCertificateAuthority;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Provisions a fleet of simulated devices and drives it against a broker: the devnet's load and
 * attack generator. {@link #provision} makes keys, certificates and identities (the caller
 * registers them with the backend); {@link #run} connects every device over mTLS, publishes its
 * proofs at QoS 1, waits for the PUBACKs and collects the backend's receipts.
 */
public final class FleetSimulator {

    private static final int MAX_ERRORS_KEPT = 20;

    private FleetSimulator() {
    }

    // ---------------------------------------------------------------------------------------------
    // Provisioning

    /** {@link #provision(int, FleetMix, LocalCertificateAuthority, Path, SecureRandom, ProvisionOptions)} with defaults. */
    public static List<SimulatedDevice> provision(int devices, FleetMix mix, LocalCertificateAuthority ca, Path dir,
                                                  SecureRandom rnd) {
        return provision(devices, mix, ca, dir, rnd, ProvisionOptions.defaults());
    }

    /** Defaults, with owners assigned round-robin from {@code ownerAddresses}. */
    public static List<SimulatedDevice> provision(int devices, FleetMix mix, LocalCertificateAuthority ca, Path dir,
                                                  SecureRandom rnd, List<String> ownerAddresses) {
        return provision(devices, mix, ca, dir, rnd, ProvisionOptions.defaults().withOwners(ownerAddresses));
    }

    /**
     * Makes {@code devices} devices with roles per {@code mix} (shuffled with {@code rnd}): for each a
     * proof-signing key, a TLS certificate and key from {@code ca} written into {@code dir}
     * ({@code <id>.cert.pem}, {@code <id>.key.pem}), an owner address (round-robin from the first honest device) and an H3 cell.
     */
    public static List<SimulatedDevice> provision(int devices, FleetMix mix, LocalCertificateAuthority ca, Path dir,
                                                  SecureRandom rnd, ProvisionOptions options) {
        if (devices < 0) {
            throw new IllegalArgumentException("devices must be >= 0");
        }
        List<DeviceRole> roles = new ArrayList<>(devices);
        mix.allocate(devices).forEach((role, count) -> {
            for (int i = 0; i < count; i++) {
                roles.add(role);
            }
        });
        Collections.shuffle(roles, rnd);
        String prefix = options.idPrefix() != null ? options.idPrefix()
                : "sim-" + HexFormat.of().formatHex(randomBytes(rnd, 3)) + "-";
        int width = Math.max(4, String.valueOf(devices).length());
        List<String> ids = new ArrayList<>(devices);
        for (int i = 0; i < devices; i++) {
            ids.add(prefix + roles.get(i).wire().replace('_', '-') + "-" + String.format("%0" + width + "d", i + 1));
        }
        // Owners go round-robin from the first honest device, so the first owner always holds one that earns: a demo's
        // claim by that owner then never finds nothing to claim because the shuffle gave it only forgers.
        int firstHonest = Math.max(0, roles.indexOf(DeviceRole.HONEST));
        List<SimulatedDevice> out = new ArrayList<>(devices);
        for (int i = 0; i < devices; i++) {
            DeviceRole role = roles.get(i);
            String id = ids.get(i);
            DeviceSigningKey key = DeviceSigningKey.generate(options.scheme(), rnd);
            DeviceSigningKey rogue = role == DeviceRole.FORGER ? DeviceSigningKey.generate(options.scheme(), rnd) : null;
            IssuedCertificate cert = ca.issue(id);
            CertificateFiles files = cert.writeTo(dir);
            String owner = options.ownerAddresses().isEmpty()
                    ? "0x" + HexFormat.of().formatHex(randomBytes(rnd, 20))
                    : options.ownerAddresses().get(Math.floorMod(i - firstHonest, options.ownerAddresses().size()));
            String cell = H3Cells.near(options.h3Anchor(), options.h3Resolution(), rnd);
            String target = role == DeviceRole.WRONG_TOPIC ? wrongTopicTarget(ids, roles, i, prefix) : null;
            out.add(new SimulatedDevice(id, role, key, rogue, files.certPath(), files.keyPath(), owner, cell, target));
        }
        return Collections.unmodifiableList(out);
    }

    /** The next device after {@code i} (cyclically) that is not itself a WRONG_TOPIC device, or a made-up id. */
    private static String wrongTopicTarget(List<String> ids, List<DeviceRole> roles, int i, String prefix) {
        for (int k = 1; k < ids.size(); k++) {
            int j = (i + k) % ids.size();
            if (roles.get(j) != DeviceRole.WRONG_TOPIC) {
                return ids.get(j);
            }
        }
        return prefix + "victim";
    }

    private static byte[] randomBytes(SecureRandom rnd, int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }

    // ---------------------------------------------------------------------------------------------
    // Running

    /** {@link #run(List, MqttEndpoint, int, ProgressListener, RunOptions)} with {@link RunOptions#defaults()}. */
    public static FleetReport run(List<SimulatedDevice> devices, MqttEndpoint endpoint, int proofsPerDevice,
                                  ProgressListener progress) {
        return run(devices, endpoint, proofsPerDevice, progress, RunOptions.defaults());
    }

    /**
     * Connects every device (at most {@code options.maxConcurrentDevices()} connecting or publishing
     * at once; connected devices stay connected to hear their receipts), publishes each device's
     * proofs in order, each after the previous PUBACK, then waits for receipts until every
     * acknowledged message the broker delivers (all but WRONG_TOPIC's) has one or no receipt arrived for {@code options.receiptGrace()}.
     * Disconnects all devices before returning. Never throws for device-level failures: they are
     * counted in the report.
     */
    public static FleetReport run(List<SimulatedDevice> devices, MqttEndpoint endpoint, int proofsPerDevice,
                                  ProgressListener progress, RunOptions options) {
        if (proofsPerDevice < 1) {
            throw new IllegalArgumentException("proofsPerDevice must be >= 1");
        }
        return new Run(devices, endpoint, proofsPerDevice, progress, options).execute();
    }

    /** State of one run. */
    private static final class Run {
        private final List<SimulatedDevice> devices;
        private final MqttEndpoint endpoint;
        private final int proofsPerDevice;
        private final ProgressListener listener;
        private final RunOptions options;

        private final Map<String, DeviceRole> roleById = new HashMap<>();
        private final Map<DeviceRole, AtomicInteger> published = new EnumMap<>(DeviceRole.class);
        private final Map<DeviceRole, AtomicInteger> pubacked = new EnumMap<>(DeviceRole.class);
        /** Acknowledged by the broker but dropped by its ACL (WRONG_TOPIC): no verdict, no receipt expected. */
        private final Map<DeviceRole, AtomicInteger> notDelivered = new EnumMap<>(DeviceRole.class);
        private final AtomicInteger connected = new AtomicInteger();
        private final AtomicInteger connectFailures = new AtomicInteger();
        private final AtomicInteger publishFailures = new AtomicInteger();
        private final AtomicInteger malformed = new AtomicInteger();
        private final AtomicLong lastReceiptNanos = new AtomicLong();
        private final ConcurrentLinkedQueue<Receipt> receipts = new ConcurrentLinkedQueue<>();
        /** Receipts still expected per proof id (a replayer's copies share one id). */
        private final Map<String, AtomicInteger> outstanding = new ConcurrentHashMap<>();
        private final AtomicInteger matched = new AtomicInteger();
        private final AtomicInteger unmatched = new AtomicInteger();
        private final List<String> errors = Collections.synchronizedList(new ArrayList<>());
        private final List<DeviceClient> clients = Collections.synchronizedList(new ArrayList<>());
        /** Connection attempts in flight (released when a device is connected or has given up). */
        private final Semaphore connectPermits;
        private final AtomicInteger connectRetries = new AtomicInteger();

        Run(List<SimulatedDevice> devices, MqttEndpoint endpoint, int proofsPerDevice, ProgressListener listener,
            RunOptions options) {
            this.devices = List.copyOf(devices);
            this.endpoint = endpoint;
            this.proofsPerDevice = proofsPerDevice;
            this.listener = listener == null ? ProgressListener.NONE : listener;
            this.options = options;
            this.connectPermits = new Semaphore(Math.min(options.maxConcurrentConnects(), options.maxConcurrentDevices()));
            for (DeviceRole role : DeviceRole.values()) {
                published.put(role, new AtomicInteger());
                pubacked.put(role, new AtomicInteger());
                notDelivered.put(role, new AtomicInteger());
            }
            for (SimulatedDevice d : this.devices) {
                if (roleById.put(d.deviceId(), d.role()) != null) {
                    throw new IllegalArgumentException("duplicate device id " + d.deviceId());
                }
            }
        }

        FleetReport execute() {
            Instant start = Instant.now();
            int plannedMessages = devices.stream().mapToInt(d -> d.messagesFor(proofsPerDevice)).sum();
            Progress connectProgress = new Progress(ProgressListener.Phase.CONNECT, devices.size(), listener);
            Progress publishProgress = new Progress(ProgressListener.Phase.PUBLISH, plannedMessages, listener);
            Semaphore permits = new Semaphore(options.maxConcurrentDevices());
            List<CompletableFuture<Void>> pipelines = new ArrayList<>(devices.size());
            try {
                for (SimulatedDevice device : devices) {
                    permits.acquireUninterruptibly();
                    connectPermits.acquireUninterruptibly();
                    CompletableFuture<Void> pipeline;
                    try {
                        pipeline = startDevice(device, connectProgress, publishProgress);
                    } catch (RuntimeException e) {
                        pipeline = CompletableFuture.failedFuture(e);
                    }
                    pipelines.add(pipeline.whenComplete((v, e) -> permits.release()));
                }
                CompletableFuture.allOf(pipelines.toArray(CompletableFuture[]::new))
                        .exceptionally(e -> null).join();
                if (connectRetries.get() > 0) {
                    listener.onNote(connectRetries.get() + " connection attempts were retried after a failure or timeout");
                }
                awaitReceipts();
            } finally {
                closeAll();
            }
            return report(Duration.between(start, Instant.now()));
        }

        private CompletableFuture<Void> startDevice(SimulatedDevice device, Progress connectProgress,
                                                    Progress publishProgress) {
            int messages = device.messagesFor(proofsPerDevice);
            return connectWithRetries(device, 1)
                    .handle((client, error) -> {
                        connectPermits.release();
                        if (error != null) {
                            connectFailures.incrementAndGet();
                            error(rootMessage(error));
                        } else {
                            connected.incrementAndGet();
                        }
                        connectProgress.step(1);
                        return error == null ? client : null;
                    })
                    .thenCompose(client -> {
                        if (client == null) {
                            publishProgress.step(messages);
                            return CompletableFuture.completedFuture(null);
                        }
                        return publishAll(device, client, messages, publishProgress);
                    });
        }

        /**
         * Connects the device, a fresh client per attempt (a timed-out attempt's client is closed in the background), backing
         * off between attempts; fails with the last attempt's error.
         */
        private CompletableFuture<DeviceClient> connectWithRetries(SimulatedDevice device, int attempt) {
            DeviceClient client;
            try {
                client = newClient(device);
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(new IllegalStateException(
                        device.deviceId() + ": cannot create client: " + e.getMessage(), e));
            }
            clients.add(client);
            return client.connectAsync().handle((ok, error) -> {
                if (error == null) {
                    return CompletableFuture.completedFuture(client);
                }
                if (attempt >= options.connectAttempts()) {
                    return CompletableFuture.<DeviceClient>failedFuture(error);
                }
                connectRetries.incrementAndGet();
                clients.remove(client);
                Thread.ofVirtual().start(client::close);
                long backoff = Math.min(8_000L, 1_000L << (attempt - 1));
                long delay = backoff + java.util.concurrent.ThreadLocalRandom.current().nextLong(backoff / 2 + 1);
                return CompletableFuture.supplyAsync(() -> null,
                                CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS))
                        .thenCompose(v -> connectWithRetries(device, attempt + 1));
            }).thenCompose(f -> f);
        }

        private DeviceClient newClient(SimulatedDevice device) {
            return DeviceClient.builder(device.deviceId(), device.certPath(), device.keyPath(), endpoint)
                    .connectTimeout(options.connectTimeout())
                    .operationTimeout(options.operationTimeout())
                    .onReceipt(new ReceiptListener() {
                        @Override
                        public void onReceipt(Receipt receipt) {
                            long now = System.nanoTime();
                            receipts.add(receipt);
                            AtomicInteger open = receipt.proofId() == null ? null : outstanding.get(receipt.proofId());
                            if (open != null && open.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                                matched.incrementAndGet();
                            } else {
                                unmatched.incrementAndGet();
                            }
                            lastReceiptNanos.set(now);
                            listener.onReceipt(receipt, now);
                        }

                        @Override
                        public void onMalformedReceipt(String deviceId, byte[] payload, IllegalArgumentException error) {
                            malformed.incrementAndGet();
                            error(deviceId + ": malformed receipt: " + error.getMessage());
                        }
                    })
                    .build();
        }

        private CompletableFuture<Void> publishAll(SimulatedDevice device, DeviceClient client, int messages,
                                                   Progress publishProgress) {
            // A replayer's copies are the same bytes as its first proof; everything else is built
            // just before it is sent, so its device time is "now".
            byte[][] replayed = new byte[1][];
            CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
            if (options.publishStart() != null) {
                // The whole fleet starts together, each device at its own phase within one interval.
                long phase = options.proofInterval().isZero() ? 0
                        : java.util.concurrent.ThreadLocalRandom.current().nextLong(options.proofInterval().toMillis());
                long wait = Math.max(0, Duration.between(Instant.now(), options.publishStart()).toMillis()) + phase;
                chain = CompletableFuture.runAsync(() -> {
                }, CompletableFuture.delayedExecutor(wait, TimeUnit.MILLISECONDS));
            }
            for (int i = 0; i < messages; i++) {
                final int index = i;
                if (i > 0 && !options.proofInterval().isZero()) {
                    chain = chain.thenCompose(v -> CompletableFuture.runAsync(() -> {
                    }, CompletableFuture.delayedExecutor(options.proofInterval().toMillis(), TimeUnit.MILLISECONDS)));
                }
                chain = chain.thenCompose(v -> {
                    byte[] payload;
                    if (device.role() == DeviceRole.REPLAYER) {
                        if (replayed[0] == null) {
                            replayed[0] = device.proof(options.firstSeq(), options.clock());
                        }
                        payload = replayed[0];
                    } else {
                        payload = device.proof(options.firstSeq() + index, options.clock());
                    }
                    published.get(device.role()).incrementAndGet();
                    // Expect the receipt before sending: a fast backend may answer before the PUBACK is seen.
                    // A message the broker will drop (wrong topic) expects none.
                    AtomicInteger open = device.delivered()
                            ? outstanding.computeIfAbsent(proofIdOf(payload), k -> new AtomicInteger())
                            : new AtomicInteger();
                    open.incrementAndGet();
                    listener.onPublished(device.deviceId(), proofIdOf(payload), System.nanoTime());
                    return client.publish(device.proofTopic(), payload).handle((ok, error) -> {
                        if (error == null) {
                            pubacked.get(device.role()).incrementAndGet();
                            if (!device.delivered()) {
                                notDelivered.get(device.role()).incrementAndGet();
                            }
                        } else {
                            open.getAndUpdate(n -> Math.max(0, n - 1));
                            publishFailures.incrementAndGet();
                            error(device.deviceId() + ": publish failed: " + rootMessage(error));
                        }
                        publishProgress.step(1);
                        return null;
                    });
                });
            }
            return chain;
        }

        private void awaitReceipts() {
            int expected = pubacked.values().stream().mapToInt(AtomicInteger::get).sum()
                    - notDelivered.values().stream().mapToInt(AtomicInteger::get).sum();
            Progress receiptProgress = new Progress(ProgressListener.Phase.RECEIPTS, expected, listener);
            long graceNanos = options.receiptGrace().toNanos();
            long publishEnd = System.nanoTime();
            long hardDeadline = publishEnd + 10 * graceNanos;
            while (true) {
                int have = matched.get();
                receiptProgress.set(Math.min(have, expected));
                if (have >= expected) {
                    return;
                }
                long now = System.nanoTime();
                long last = Math.max(publishEnd, lastReceiptNanos.get());
                if (now - last >= graceNanos || now >= hardDeadline) {
                    listener.onNote((expected - have) + " of " + expected + " receipts did not arrive (none for "
                            + options.receiptGrace().toMillis() + " ms)");
                    return;
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }

        private void closeAll() {
            List<DeviceClient> all;
            synchronized (clients) {
                all = new ArrayList<>(clients);
            }
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                Semaphore limit = new Semaphore(32);
                for (DeviceClient c : all) {
                    pool.submit(() -> {
                        limit.acquireUninterruptibly();
                        try {
                            c.close();
                        } finally {
                            limit.release();
                        }
                    });
                }
            }
        }

        private FleetReport report(Duration elapsed) {
            Map<String, Integer> byOutcome = new ConcurrentHashMap<>();
            Map<String, Integer> byReason = new ConcurrentHashMap<>();
            Map<DeviceRole, Map<String, Integer>> byRole = new EnumMap<>(DeviceRole.class);
            List<Receipt> all = List.copyOf(receipts);
            for (Receipt r : all) {
                byOutcome.merge(r.outcome(), 1, Integer::sum);
                if (!r.accepted() && r.reason() != null) {
                    byReason.merge(r.reason(), 1, Integer::sum);
                }
                DeviceRole role = roleById.get(r.deviceId());
                if (role != null) {
                    String key = r.accepted() || r.reason() == null ? r.outcome() : r.outcome() + ":" + r.reason();
                    byRole.computeIfAbsent(role, k -> new HashMap<>()).merge(key, 1, Integer::sum);
                }
            }
            Map<DeviceRole, Integer> pub = new EnumMap<>(DeviceRole.class);
            Map<DeviceRole, Integer> ack = new EnumMap<>(DeviceRole.class);
            published.forEach((role, n) -> pub.put(role, n.get()));
            pubacked.forEach((role, n) -> ack.put(role, n.get()));
            Map<DeviceRole, Integer> dropped = new EnumMap<>(DeviceRole.class);
            notDelivered.forEach((role, n) -> dropped.put(role, n.get()));
            Map<DeviceRole, Map<String, Integer>> byRoleFrozen = new EnumMap<>(DeviceRole.class);
            byRole.forEach((role, m) -> byRoleFrozen.put(role, Map.copyOf(m)));
            List<String> errs;
            synchronized (errors) {
                errs = List.copyOf(errors);
            }
            return new FleetReport(devices.size(), connected.get(), connectFailures.get(),
                    Collections.unmodifiableMap(pub), Collections.unmodifiableMap(ack), Collections.unmodifiableMap(dropped),
                    publishFailures.get(),
                    Map.copyOf(byOutcome), Map.copyOf(byReason), Collections.unmodifiableMap(byRoleFrozen),
                    malformed.get(), matched.get(), unmatched.get(), all, errs, elapsed);
        }

        private void error(String message) {
            synchronized (errors) {
                if (errors.size() < MAX_ERRORS_KEPT) {
                    errors.add(message);
                }
            }
            listener.onNote(message);
        }

        private static String proofIdOf(byte[] payload) {
            try {
                return ProofCodec.decode(payload).proofId();
            } catch (MalformedProofException e) {
                return "malformed:" + e.reason().wire(); // never the case for what the simulator builds
            }
        }

        private static String rootMessage(Throwable t) {
            while (t.getCause() != null && (t instanceof java.util.concurrent.CompletionException
                    || t instanceof java.util.concurrent.ExecutionException)) {
                t = t.getCause();
            }
            return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        }
    }

    /** Reports each 10 % step of one phase once. */
    private static final class Progress {
        private final ProgressListener.Phase phase;
        private final int total;
        private final ProgressListener listener;
        private final AtomicInteger done = new AtomicInteger();
        private final AtomicInteger lastDecile = new AtomicInteger(-1);

        Progress(ProgressListener.Phase phase, int total, ProgressListener listener) {
            this.phase = phase;
            this.total = total;
            this.listener = listener;
        }

        void step(int n) {
            report(done.addAndGet(n));
        }

        void set(int value) {
            done.set(value);
            report(value);
        }

        private void report(int value) {
            int decile = total == 0 ? 10 : (int) Math.min(10, 10L * value / total);
            int prev;
            while ((prev = lastDecile.get()) < decile) {
                if (lastDecile.compareAndSet(prev, decile)) {
                    if (decile > 0 || total == 0) {
                        listener.onProgress(phase, value, total);
                    }
                    return;
                }
            }
        }
    }
}
