package dev.flywheel.devnet;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.flywheel.core.epoch.EpochClock;
import dev.flywheel.core.epoch.EpochLedger;
import dev.flywheel.core.proof.DeviceRecord;
import dev.flywheel.core.proof.DeviceStatus;
import dev.flywheel.device.mqtt.Receipt;
import dev.flywheel.device.pki.LocalCertificateAuthority;
import dev.flywheel.device.sim.FleetMix;
import dev.flywheel.device.sim.FleetReport;
import dev.flywheel.device.sim.FleetSimulator;
import dev.flywheel.device.sim.ProgressListener;
import dev.flywheel.device.sim.RunOptions;
import dev.flywheel.device.sim.SimulatedDevice;
import dev.flywheel.dynamodb.DynamoDeviceRegistry;
import dev.flywheel.dynamodb.DynamoEpochLedger;
import dev.flywheel.dynamodb.DynamoProofLedger;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sqs.SqsClient;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The end-to-end load run ({@code scripts/load}): a fleet of simulated devices on the IoT Device SDK publishes over
 * MQTT/mTLS for a fixed time through the devnet's rule bridge, queue and verifier. Prints sustained verdicts per
 * second, publish-to-verdict latency percentiles (publish until the device hears its receipt, which the verifier sends
 * only after the verdict is stored), and the store's raw ceiling for the same writes measured in the same run
 * ({@link StoreCeiling}); then lets the closer close every epoch of the run and checks the books ({@link Accounting}).
 * Writes {@code summary.json} and {@code load.png} (throughput and latency over time). Exits 1 when the books do not
 * balance or a device could not connect.
 */
public final class LoadRun {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** Time slots of the chart and the progress lines. */
    static final int SLOT_SECONDS = 1;
    private static final int MAX_SLOTS = 3600;

    public static void main(String[] args) throws Exception {
        Map<String, String> env = System.getenv();
        int devices = Integer.parseInt(env.getOrDefault("FLYWHEEL_LOAD_DEVICES", "1000"));
        int seconds = Integer.parseInt(env.getOrDefault("FLYWHEEL_LOAD_SECONDS", "30"));
        double interval = Double.parseDouble(env.getOrDefault("FLYWHEEL_LOAD_INTERVAL_SECONDS", "3"));
        long epochSeconds = Long.parseLong(env.getOrDefault("FLYWHEEL_LOAD_EPOCH_SECONDS", "300"));
        int ceilingSeconds = Integer.parseInt(env.getOrDefault("FLYWHEEL_LOAD_CEILING_SECONDS", "15"));
        DevnetConfig devnet = DevnetConfig.fromEnvironment(env);
        devnet = devnet.withStackName("flywheel-load-" + Instant.now().getEpochSecond());
        int port = HostProperties.freePort();
        devnet = new DevnetConfig(devnet.repoRoot(), devnet.stackName(), devnet.mqtt(), devnet.caCert(), devnet.caKey(),
                devnet.rulesEngineCert(), devnet.rulesEngineKey(), devnet.certsDir(), devnet.chainRpc(), devnet.chainId(),
                devnet.operatorKeyFile(), devnet.ownerKeyFile(), port);
        Path out = Path.of(env.getOrDefault("FLYWHEEL_LOAD_OUT", devnet.repoRoot().resolve("devnet/target/load").toString()));
        Map<String, Object> summary = new LoadRun().run(devnet, devices, seconds, Duration.ofMillis((long) (interval * 1000)),
                epochSeconds, Duration.ofSeconds(ceilingSeconds), out);
        System.out.println(new ObjectMapper().writeValueAsString(summary));
        System.exit(Boolean.TRUE.equals(summary.get("passed")) ? 0 : 1);
    }

    private static void say(String line) {
        System.out.println("[load] " + line);
    }

    /** Publish times per proof id (a replayer's copies share one), receipt latencies and counts per time slot. */
    static final class Timeline implements ProgressListener {
        final long t0 = System.nanoTime();
        final Map<String, ArrayDeque<Long>> pending = new ConcurrentHashMap<>();
        final Map<String, Integer> publishedByProof = new ConcurrentHashMap<>();
        final AtomicLongArray publishedPerSlot = new AtomicLongArray(MAX_SLOTS);
        final AtomicLongArray verdictsPerSlot = new AtomicLongArray(MAX_SLOTS);
        final Map<Integer, List<Long>> latencyPerSlot = new ConcurrentHashMap<>();
        final List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        final AtomicLong published = new AtomicLong();
        final AtomicLong heard = new AtomicLong();
        volatile long firstPublish = Long.MAX_VALUE;
        volatile long lastPublish;
        volatile long lastReceipt;
        private final ProgressListener printer = ProgressListener.printingTo(System.out);

        int slot(long nanos) {
            return (int) Math.min(MAX_SLOTS - 1, Math.max(0, (nanos - t0) / 1_000_000_000L / SLOT_SECONDS));
        }

        @Override
        public void onProgress(Phase phase, int done, int total) {
            printer.onProgress(phase, done, total);
        }

        @Override
        public void onNote(String message) {
            printer.onNote(message);
        }

        @Override
        public void onPublished(String deviceId, String proofId, long nanoTime) {
            pending.computeIfAbsent(proofId, k -> new ArrayDeque<>());
            synchronized (pending.get(proofId)) {
                pending.get(proofId).addLast(nanoTime);
            }
            publishedByProof.merge(proofId, 1, Integer::sum);
            publishedPerSlot.incrementAndGet(slot(nanoTime));
            published.incrementAndGet();
            if (nanoTime < firstPublish) {
                firstPublish = nanoTime;
            }
            lastPublish = Math.max(lastPublish, nanoTime);
        }

        @Override
        public void onReceipt(Receipt receipt, long nanoTime) {
            ArrayDeque<Long> q = receipt.proofId() == null ? null : pending.get(receipt.proofId());
            Long sent = null;
            if (q != null) {
                synchronized (q) {
                    sent = q.pollFirst();
                }
            }
            heard.incrementAndGet();
            int slot = slot(nanoTime);
            verdictsPerSlot.incrementAndGet(slot);
            lastReceipt = Math.max(lastReceipt, nanoTime);
            if (sent != null) {
                long micros = (nanoTime - sent) / 1000;
                latencies.add(micros);
                latencyPerSlot.computeIfAbsent(slot, k -> Collections.synchronizedList(new ArrayList<>())).add(micros);
            }
        }

        double secondsSinceStart(long nanos) {
            return (nanos - t0) / 1e9;
        }
    }

    static long percentile(List<Long> sorted, double p) {
        if (sorted.isEmpty()) {
            return 0;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }

    public Map<String, Object> run(DevnetConfig devnet, int deviceCount, int seconds, Duration interval, long epochSeconds,
                                   Duration ceilingTime, Path out) throws Exception {
        Files.createDirectories(out);
        int proofsPerDevice = (int) Math.max(1, Math.round(seconds * 1000.0 / interval.toMillis()));
        try (DynamoDbClient dynamo = DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create()).build();
             SqsClient sqs = SqsClient.builder().httpClient(UrlConnectionHttpClient.create()).build();
             SecretsManagerClient secrets = SecretsManagerClient.builder().httpClient(UrlConnectionHttpClient.create()).build()) {
            Instant genesis = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(epochSeconds);
            EpochClock clock = new EpochClock(genesis, Duration.ofSeconds(epochSeconds));
            say("stack " + devnet.stackName() + ": tables, queues, secrets, contracts");
            var provisioned = new DevnetProvisioner(devnet, dynamo, sqs, secrets).provision(clock);

            Map<String, Object> properties = HostProperties.forStack(devnet, provisioned, genesis, epochSeconds, devnet.hostPort());
            String queueDepth = System.getenv("FLYWHEEL_LOAD_QUEUE_DEPTH");
            if (queueDepth != null) {
                properties.put("flywheel.devnet.event-source.queue-depth", Integer.parseInt(queueDepth));
            }
            // The verifier writes the paper trail as on AWS (one S3 object per batch).
            properties.putAll(HostProperties.paperTrail(devnet));
            // The template's ProofIngest: kinesis (the ingest docs/cost.md prices at $1.24 per million proofs) or sqs.
            String ingest = System.getenv().getOrDefault("FLYWHEEL_LOAD_INGEST", "kinesis");
            properties.put(LocalFunctionHost.INGEST_PROPERTY, ingest);
            // Concurrent verifier batches: with SQS, the pollers (Lambda's SQS event source starts with five and scales up
            // from there); with Kinesis, one batch per shard (ParallelizationFactor 1, per-device order).
            int pollers = Integer.parseInt(System.getenv().getOrDefault("FLYWHEEL_LOAD_POLLERS",
                    String.valueOf(LocalFunctionHost.DEFAULT_POLLERS)));
            int shards = Integer.parseInt(System.getenv().getOrDefault("FLYWHEEL_LOAD_SHARDS", "4"));
            properties.put("flywheel.devnet.event-source.pollers", pollers);
            properties.put("flywheel.devnet.kinesis.shards", shards);
            int parallelism = Integer.parseInt(String.valueOf(properties.getOrDefault("flywheel.verifier.parallelism", 8)));
            int threads = ("kinesis".equals(ingest) ? shards : pollers) * parallelism;
            // A device state item after a few proofs is about 1.5 KB (guard entries, prior proof, rate windows).
            int itemBytes = 1500;
            say("store ceiling: %d clients doing the ledger's GetItem + conditional PutItem (%d-byte items) for %d s"
                    .formatted(threads, itemBytes, ceilingTime.toSeconds()));
            StoreCeiling.Result ceiling = StoreCeiling.measure(dynamo, devnet.stackName() + "-ceiling", deviceCount, threads,
                    itemBytes, ceilingTime);
            say("store ceiling: %.1f proofs/s (%d get+put pairs in %.1f s)".formatted(ceiling.proofsPerSecond(),
                    ceiling.proofs(), ceiling.seconds()));

            say("provisioning " + deviceCount + " devices: keys, certificates from the devnet CA, registry entries");
            Path certDir = Files.createDirectories(devnet.certsDir().resolve("load-" + devnet.stackName()));
            var ca = LocalCertificateAuthority.load(devnet.caCert(), devnet.caKey());
            List<String> owners = new ArrayList<>();
            for (int i = 1; i <= 50; i++) {
                owners.add("0x%040x".formatted(0xf1ee0000L + i));
            }
            List<SimulatedDevice> fleet = FleetSimulator.provision(deviceCount, FleetMix.DEMO, ca, certDir, new SecureRandom(), owners);
            var registry = new DynamoDeviceRegistry(dynamo, provisioned.tables().devices());
            try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
                for (SimulatedDevice d : fleet) {
                    pool.submit(() -> registry.register(new DeviceRecord(d.deviceId(), d.signingKey().scheme(),
                            d.signingKey().publicKey(), d.ownerAddress(), DeviceStatus.ACTIVE, d.h3Cell()), "flywheel-load", Instant.now()));
                }
            }

            var settings = new LocalFunctionHost.Settings(properties, provisioned.queueUrl(), provisioned.ingestErrorQueueUrl(),
                    Duration.ofSeconds(5), Duration.ofSeconds(5), devnet.hostPort());
            var proofs = new DynamoProofLedger(dynamo, provisioned.tables(), clock, Duration.ofDays(1));
            var epochs = new DynamoEpochLedger(dynamo, provisioned.tables(), proofs);
            try (var host = new LocalFunctionHost(devnet, settings, sqs, msg -> System.err.println("[host] " + msg))) {
                host.start();
                AwsRequestTimes.reset();
                Timeline timeline = new Timeline();
                // Connect at about 25 TLS handshakes per second (measured here), then everyone publishes from one instant.
                Instant publishStart = Instant.now().plusSeconds(5 + deviceCount / 25);
                say("fleet: %d devices connect (32 handshakes at a time), then publish %d proofs each, one every %d ms, from %s"
                        .formatted(deviceCount, proofsPerDevice, interval.toMillis(), publishStart));
                ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().factory());
                long[] lastHeard = {0};
                ticker.scheduleAtFixedRate(() -> {
                    long now = System.nanoTime();
                    long heard = timeline.heard.get();
                    if (timeline.published.get() > 0) {
                        say("t=%5.0fs published %,7d  verdicts %,7d (%4d/s)  rule backlog %,d".formatted(
                                timeline.secondsSinceStart(now), timeline.published.get(), heard,
                                (heard - lastHeard[0]) / 5, host.pendingRuleActions()));
                    }
                    lastHeard[0] = heard;
                }, 5, 5, TimeUnit.SECONDS);
                FleetReport report;
                try {
                    report = FleetSimulator.run(fleet, devnet.mqtt(), proofsPerDevice, timeline,
                            RunOptions.defaults().withMaxConcurrentDevices(deviceCount).withMaxConcurrentConnects(32)
                                    .withProofInterval(interval).withPublishStart(publishStart)
                                    .withOperationTimeout(Duration.ofSeconds(120)).withReceiptGrace(Duration.ofSeconds(30)));
                } finally {
                    ticker.shutdownNow();
                }
                say("fleet done: " + report.summary().replace("\n", "; "));
                int delivered = report.expectedVerdicts();
                // The pipeline's requests (fleet registration to the last receipt), before the checks and the closes below add theirs.
                List<AwsRequestTimes.Operation> pipelineRequests = AwsRequestTimes.snapshot();

                // Receipts are best effort: the ledger is the truth. Wait until it holds a verdict per delivered message.
                say("checking the ledger for a verdict per delivered message (" + delivered + ")");
                Instant deadline = Instant.now().plusSeconds(120).plusMillis(200L * delivered);
                long lastSaid = 0;
                while (Instant.now().isBefore(deadline)) {
                    long handled = host.handledMessages();
                    if (handled >= delivered) {
                        DynamoProofLedger.VerdictCounts c = proofs.countVerdicts();
                        long counted = c.accepted() + c.rejected();
                        say("  verdicts in the ledger %d/%d".formatted(counted, delivered));
                        if (counted >= delivered) {
                            break;
                        }
                    } else if (System.nanoTime() - lastSaid > 10_000_000_000L) {
                        lastSaid = System.nanoTime();
                        say("  verifier handled %d/%d, rule backlog %d".formatted(handled, delivered, host.pendingRuleActions()));
                    }
                    Thread.sleep(2000);
                }

                long lastEpoch = clock.epochOf(Instant.now());
                long first = clock.epochOf(genesis);
                say("closing epochs %d..%d (epoch %d ends %s, then the late-data gate)".formatted(first, lastEpoch, lastEpoch,
                        clock.end(lastEpoch)));
                // The closer fences every device once per epoch (one conditional write each: docs/architecture.md, access
                // pattern 6), so on the stand-in a close takes about devices / 20 s.
                long toClose = lastEpoch - first + 1;
                Instant closeDeadline = clock.end(lastEpoch).plusSeconds(120 + toClose * deviceCount / 10);
                long lastClosed = first - 1;
                while ((lastClosed = epochs.cursor(first - 1).lastClosed()) < lastEpoch) {
                    if (Instant.now().isAfter(closeDeadline)) {
                        throw new IllegalStateException("epoch " + lastEpoch + " not closed by " + closeDeadline);
                    }
                    if (System.nanoTime() - lastSaid > 10_000_000_000L) {
                        lastSaid = System.nanoTime();
                        say("  closed %d of %d epochs".formatted(lastClosed - first + 1, toClose));
                    }
                    Thread.sleep(2000);
                }
                EpochLedger.Cursor cursor = epochs.cursor(first - 1);
                List<Long> closed = new ArrayList<>();
                for (long e = first; e <= cursor.lastClosed(); e++) {
                    closed.add(e);
                }
                Accounting.Report books = Accounting.check(Map.copyOf(timeline.publishedByProof), proofs, epochs, closed);
                say(books.summary());
                books.problems().forEach(p -> say("  " + p));

                List<Long> sorted = new ArrayList<>(timeline.latencies);
                Collections.sort(sorted);
                double window = Math.max(1e-9, (timeline.lastReceipt - timeline.firstPublish) / 1e9);
                double publishWindow = Math.max(1e-9, (timeline.lastPublish - timeline.firstPublish) / 1e9);
                double sustained = timeline.heard.get() / window;
                double offered = timeline.published.get() / publishWindow;
                double ratio = sustained / ceiling.proofsPerSecond();

                Map<String, Object> summary = new LinkedHashMap<>();
                summary.put("devices", deviceCount);
                summary.put("connected", report.connected());
                summary.put("connectFailures", report.connectFailures());
                summary.put("proofsPerDevice", proofsPerDevice);
                summary.put("intervalMillis", interval.toMillis());
                summary.put("published", timeline.published.get());
                summary.put("acknowledged", report.pubacks());
                summary.put("publishFailures", report.publishFailures());
                summary.put("receiptsHeard", timeline.heard.get());
                summary.put("offeredProofsPerSecond", round(offered));
                summary.put("sustainedProofsPerSecond", round(sustained));
                summary.put("latencyMillis", Map.of("p50", percentile(sorted, 50) / 1000.0, "p95", percentile(sorted, 95) / 1000.0,
                        "p99", percentile(sorted, 99) / 1000.0, "max", sorted.isEmpty() ? 0 : sorted.getLast() / 1000.0,
                        "samples", sorted.size()));
                summary.put("storeCeiling", Map.of("proofsPerSecond", round(ceiling.proofsPerSecond()), "clients", ceiling.threads(),
                        "itemBytes", ceiling.itemBytes(), "seconds", round(ceiling.seconds())));
                summary.put("ratioToStoreCeiling", round(ratio));
                // scripts/load gives SQS a moto_server of its own (as on AWS, a service apart from DynamoDB).
                summary.put("ingest", "kinesis".equals(ingest) ? "kinesis, " + shards + " shards" : "sqs, " + pollers + " pollers");
                summary.put("ingestEndpoint", System.getenv().getOrDefault("AWS_ENDPOINT_URL_SQS", "the devnet's moto (shared)"));
                summary.put("verifierInvocations", host.verifierInvocations());
                // Where the stand-in's time went, from the fleet's first publish to the books (the books' own scans included).
                summary.put("awsRequests", AwsRequestTimes.asMap(pipelineRequests));
                summary.put("accounting", books);
                summary.put("passed", books.ok() && report.connectFailures() == 0 && report.publishFailures() == 0);
                summary.put("timeline", timelineOf(timeline));
                Files.writeString(out.resolve("summary.json"), JSON.writeValueAsString(summary));
                Path chart = LoadChart.write(out.resolve("load.png"), timeline, summary);

                System.out.println();
                System.out.printf("  Flywheel load run: %d devices x %d proofs (one per %d ms)%n", deviceCount, proofsPerDevice,
                        interval.toMillis());
                System.out.printf("  %-26s %.1f proofs/s offered, %.1f proofs/s sustained (publish to last verdict)%n",
                        "throughput", offered, sustained);
                System.out.printf("  %-26s p50 %.0f ms, p95 %.0f ms, p99 %.0f ms (%d samples)%n", "publish -> verdict",
                        percentile(sorted, 50) / 1000.0, percentile(sorted, 95) / 1000.0, percentile(sorted, 99) / 1000.0,
                        sorted.size());
                System.out.printf("  %-26s %.1f proofs/s; pipeline at %.2f of it (goal >= 0.7)%n", "store ceiling", ceiling.proofsPerSecond(), ratio);
                System.out.printf("  %-26s %s at %s%n", "ingest", summary.get("ingest"), summary.get("ingestEndpoint"));
                System.out.printf("  %-26s %s%n", "accounting", books.summary());
                for (int i = 0; i < Math.min(8, pipelineRequests.size()); i++) {
                    AwsRequestTimes.Operation o = pipelineRequests.get(i);
                    System.out.printf("  %-26s %-34s %,8d requests (%.2f a proof) %8.1f s %7.1f ms each%n",
                            i == 0 ? "AWS stand-in, by time" : "", o.name(), o.requests(),
                            o.requests() / (double) Math.max(1, timeline.published.get()), o.totalSeconds(), o.meanMillis());
                }
                System.out.printf("  %-26s %s, %s%n", "files", out.resolve("summary.json"), chart);
                System.out.println();
                summary.remove("timeline");
                return summary;
            }
        }
    }

    private static Map<String, Object> timelineOf(Timeline t) {
        Map<String, Object> slots = new TreeMap<>();
        int last = t.slot(Math.max(t.lastReceipt, t.lastPublish));
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int s = t.slot(t.firstPublish == Long.MAX_VALUE ? t.t0 : t.firstPublish); s <= last; s++) {
            List<Long> l = new ArrayList<>(t.latencyPerSlot.getOrDefault(s, List.of()));
            Collections.sort(l);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("second", s * SLOT_SECONDS);
            row.put("published", t.publishedPerSlot.get(s));
            row.put("verdicts", t.verdictsPerSlot.get(s));
            row.put("p50Millis", percentile(l, 50) / 1000.0);
            row.put("p95Millis", percentile(l, 95) / 1000.0);
            rows.add(row);
        }
        slots.put("slots", rows);
        return slots;
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
