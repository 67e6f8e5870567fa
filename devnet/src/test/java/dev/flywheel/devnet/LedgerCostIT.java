package dev.flywheel.devnet;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.flywheel.core.crypto.DeviceSigningKey;
import dev.flywheel.core.crypto.SignatureScheme;
import dev.flywheel.core.epoch.EpochClock;
import dev.flywheel.core.proof.ProofCodec;
import dev.flywheel.core.types.sensor.SensorReading;
import dev.flywheel.core.proof.DeviceRecord;
import dev.flywheel.core.proof.DeviceStatus;
import dev.flywheel.device.pki.LocalCertificateAuthority;
import dev.flywheel.device.sim.DeviceRole;
import dev.flywheel.device.sim.FleetMix;
import dev.flywheel.device.sim.FleetReport;
import dev.flywheel.device.sim.FleetSimulator;
import dev.flywheel.device.sim.ProgressListener;
import dev.flywheel.device.sim.RunOptions;
import dev.flywheel.device.sim.SimulatedDevice;
import dev.flywheel.dynamodb.DynamoCapacityMeter;
import dev.flywheel.dynamodb.DynamoDeviceRegistry;
import dev.flywheel.dynamodb.DynamoProofLedger;
import dev.flywheel.dynamodb.TableNames;
import dev.flywheel.dynamodb.TemplateTables;
import dev.flywheel.verifier.ProofVerifierHandler;
import io.micronaut.context.ApplicationContext;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.iot.IotClient;
import software.amazon.awssdk.services.iot.model.ResourceAlreadyExistsException;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sqs.SqsClient;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the proof ledger costs in DynamoDB units, measured by {@link DynamoCapacityMeter} on the verifier's own client
 * ({@link VerifierMeter}), on moto: proofs straight into the verifier in SQS batches of 100, and a fleet publishing over
 * MQTT/mTLS through the host's rule, queue and verifier. Both print units per accepted and per rejected proof and check
 * the goals (at most 1.5 write units and 1 read unit per accepted proof) and that every write the verifier makes is keyed
 * by one device. Sizes: {@code -Dflywheel.cost.direct-devices} (default 200), {@code -Dflywheel.cost.mqtt-devices}
 * (default 40), {@code -Dflywheel.cost.proofs} (default 10 per device); docs/cost.md records the 1,000-device runs.
 */
class LedgerCostIT {
    private static final int PROOFS = Integer.getInteger("flywheel.cost.proofs", 10);
    private static final int BATCH = 100;
    private static final String OWNER = "0x00000000000000000000000000000000000c0575";
    private static final SecureRandom RANDOM = new SecureRandom();

    @Test
    void directBatchesCostAtMostOneAndAHalfWriteUnitsPerAcceptedProofOnPerDeviceKeys() throws Exception {
        int deviceCount = Integer.getInteger("flywheel.cost.direct-devices", 200);
        DevnetConfig devnet = DevnetConfig.fromEnvironment(System.getenv());
        String stack = "it-cost-" + System.nanoTime();
        try (DynamoDbClient dynamo = DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create()).build()) {
            TemplateTables.createAll(dynamo, devnet.template(), stack);
            TableNames tables = TableNames.forStack(stack);
            Instant genesis = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(60);
            Map<String, Object> properties = new LinkedHashMap<>();
            tables.asEnvironment().forEach((k, v) -> properties.put(k.toLowerCase().replace('_', '.'), v));
            properties.put("flywheel.epoch.genesis", genesis.toString());
            properties.put("flywheel.epoch.seconds", 3600);
            properties.put("flywheel.metrics.emf", false);
            var registry = new DynamoDeviceRegistry(dynamo, tables.devices());
            List<String> ids = new ArrayList<>();
            Map<String, DeviceSigningKey> keys = new LinkedHashMap<>();
            for (int i = 0; i < deviceCount; i++) {
                String id = "cost-" + UUID.randomUUID();
                DeviceSigningKey key = DeviceSigningKey.generate(SignatureScheme.ED25519, RANDOM);
                registry.register(new DeviceRecord(id, SignatureScheme.ED25519, key.publicKey(), OWNER, DeviceStatus.ACTIVE,
                        "8a2a1072b59ffff"), "cost-it", Instant.now());
                ids.add(id);
                keys.put(id, key);
            }
            List<String> honest = ids.subList(0, deviceCount - deviceCount / 10);
            List<String> forgers = ids.subList(deviceCount - deviceCount / 10, deviceCount);
            DeviceSigningKey rogue = DeviceSigningKey.generate(SignatureScheme.ED25519, RANDOM);

            try (ProofVerifierHandler handler = new ProofVerifierHandler(ApplicationContext.builder().properties(properties))) {
                // Accepted: every honest device's proofs, each batch a slice of the fleet as a busy queue delivers it.
                List<SQSEvent.SQSMessage> accepted = new ArrayList<>();
                Map<String, byte[]> firstPayload = new LinkedHashMap<>();
                for (int seq = 1; seq <= PROOFS; seq++) {
                    for (String id : honest) {
                        Instant now = Instant.now();
                        byte[] payload = ProofCodec.encode(id, seq, now, "8a2a1072b59ffff",
                                new SensorReading("temperature", 20 + (seq % 2) / 100.0, "celsius"), keys.get(id));
                        firstPayload.putIfAbsent(id, payload);
                        accepted.add(message(id, payload, now));
                    }
                }
                VerifierMeter.METER.reset();
                long[] nanos = new long[1];
                int batches = run(handler, accepted, nanos);
                DynamoCapacityMeter.Units acceptedUnits = VerifierMeter.METER.units();
                Map<String, Double> acceptedByOperation = VerifierMeter.METER.unitsByOperation();
                List<DynamoCapacityMeter.Write> acceptedWrites = VerifierMeter.METER.writes();

                // Rejected: forgers (bad_signature) and replays of honest proofs in new deliveries (replayed).
                List<SQSEvent.SQSMessage> rejected = new ArrayList<>();
                for (int seq = 1; seq <= PROOFS; seq++) {
                    for (String id : forgers) {
                        Instant now = Instant.now();
                        rejected.add(message(id, ProofCodec.encode(id, seq, now, "8a2a1072b59ffff",
                                new SensorReading("temperature", 20, "celsius"), rogue), now));
                    }
                }
                for (String id : honest.subList(0, forgers.size() * PROOFS / 2)) {
                    rejected.add(message(id, firstPayload.get(id), Instant.now()));
                }
                VerifierMeter.METER.reset();
                run(handler, rejected, new long[1]);
                DynamoCapacityMeter.Units rejectedUnits = VerifierMeter.METER.units();
                List<DynamoCapacityMeter.Write> rejectedWrites = VerifierMeter.METER.writes();

                EpochClock clock = new EpochClock(genesis, Duration.ofHours(1));
                var ledger = new DynamoProofLedger(dynamo, tables, clock, Duration.ofDays(1));
                var counts = ledger.countVerdicts();
                assertEquals(accepted.size(), counts.accepted(), "every honest proof accepted once: " + counts);
                assertEquals(rejected.size(), counts.rejected(), "every bad delivery rejected once: " + counts);

                double wPerAccepted = acceptedUnits.write() / accepted.size();
                double rPerAccepted = acceptedUnits.read() / accepted.size();
                System.out.printf("[ledger-cost] direct: %d devices x %d proofs, %d accepted in %d batches of <= %d, %.1f ms per batch "
                                + "(moto); per accepted proof %.3f WCU, %.3f RCU; per rejected proof %.3f WCU, %.3f RCU (%d rejected); "
                                + "accepted-phase units by operation %s%n",
                        deviceCount, PROOFS, accepted.size(), batches, BATCH, nanos[0] / 1e6 / batches, wPerAccepted, rPerAccepted,
                        rejectedUnits.write() / rejected.size(), rejectedUnits.read() / rejected.size(), rejected.size(),
                        acceptedByOperation);
                assertTrue(wPerAccepted <= 1.5, "write units per accepted proof: " + wPerAccepted);
                assertTrue(rPerAccepted <= 1.0, "read units per accepted proof: " + rPerAccepted);
                Set<String> devices = new HashSet<>(ids);
                assertEveryWriteIsKeyedByOneDevice(acceptedWrites, tables.ledger(), devices);
                assertEveryWriteIsKeyedByOneDevice(rejectedWrites, tables.ledger(), devices);
            }
        }
    }

    /** The check above catches a key shared by devices (e.g. one partition per epoch, as the ledger used to write). */
    @Test
    void theHotKeyCheckFailsOnAPartitionSharedByDevices() {
        var shared = List.of(new DynamoCapacityMeter.Write("TransactWriteItems", List.of("t-proof-ledger/E#42")));
        assertThrows(AssertionError.class, () -> assertEveryWriteIsKeyedByOneDevice(shared, "t-proof-ledger", Set.of("a")));
        var neighbour = List.of(new DynamoCapacityMeter.Write("PutItem", List.of("t-proof-ledger/N#temperature#85283473fffffff")));
        assertThrows(AssertionError.class, () -> assertEveryWriteIsKeyedByOneDevice(neighbour, "t-proof-ledger", Set.of("a")));
        var other = List.of(new DynamoCapacityMeter.Write("PutItem", List.of("t-proof-ledger/P#b")));
        assertThrows(AssertionError.class, () -> assertEveryWriteIsKeyedByOneDevice(other, "t-proof-ledger", Set.of("a")));
        assertEveryWriteIsKeyedByOneDevice(List.of(new DynamoCapacityMeter.Write("PutItem", List.of("t-proof-ledger/P#a",
                "t-proof-ledger/V#a"))), "t-proof-ledger", Set.of("a"));
    }

    @Test
    void aFleetOverMqttThroughTheVerifierCostsAtMostOneAndAHalfWriteUnitsPerAcceptedProof() throws Exception {
        int deviceCount = Integer.getInteger("flywheel.cost.mqtt-devices", 40);
        DevnetConfig env = DevnetConfig.fromEnvironment(System.getenv());
        DevnetConfig devnet = new DevnetConfig(env.repoRoot(), "it-cost-mqtt-" + System.nanoTime(), env.mqtt(), env.caCert(),
                env.caKey(), env.rulesEngineCert(), env.rulesEngineKey(), env.certsDir(), env.chainRpc(), env.chainId(),
                env.operatorKeyFile(), env.ownerKeyFile(), 0);
        var http = UrlConnectionHttpClient.create();
        try (DynamoDbClient dynamo = DynamoDbClient.builder().httpClient(http).build();
             SqsClient sqs = SqsClient.builder().httpClient(UrlConnectionHttpClient.create()).build();
             SecretsManagerClient secrets = SecretsManagerClient.builder().httpClient(UrlConnectionHttpClient.create()).build();
             IotClient iot = IotClient.builder().httpClient(UrlConnectionHttpClient.create()).build()) {
            var provisioned = new DevnetProvisioner(devnet, dynamo, sqs, secrets).provision();
            Path certDir = Files.createDirectories(devnet.certsDir().resolve("cost-fleet-" + System.nanoTime()));
            var ca = LocalCertificateAuthority.load(devnet.caCert(), devnet.caKey());
            long setup = System.nanoTime();
            List<SimulatedDevice> fleet = FleetSimulator.provision(deviceCount, FleetMix.DEMO, ca, certDir, RANDOM, List.of(OWNER));
            var registry = new DynamoDeviceRegistry(dynamo, provisioned.tables().devices());
            for (SimulatedDevice d : fleet) {
                try {
                    iot.createThing(b -> b.thingName(d.deviceId()));
                } catch (ResourceAlreadyExistsException exists) {
                    // a re-run
                }
                registry.register(new DeviceRecord(d.deviceId(), d.signingKey().scheme(), d.signingKey().publicKey(),
                        d.ownerAddress(), DeviceStatus.ACTIVE, d.h3Cell()), "cost-it", Instant.now());
            }
            System.out.printf("[ledger-cost] mqtt: %d devices provisioned in %.1f s%n", deviceCount, (System.nanoTime() - setup) / 1e9);

            Instant genesis = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(60);
            EpochClock clock = new EpochClock(genesis, Duration.ofHours(1));
            Map<String, Object> properties = new LinkedHashMap<>();
            provisioned.tables().asEnvironment().forEach((k, v) -> properties.put(k.toLowerCase().replace('_', '.'), v));
            properties.put("flywheel.epoch.genesis", genesis.toString());
            properties.put("flywheel.epoch.seconds", 3600);
            properties.put("flywheel.epoch.emission", "1000000000000000000000");
            properties.put("flywheel.late-data.seconds", 2);
            properties.put("flywheel.signer.secret-id", provisioned.signerSecretId());
            properties.put("flywheel.chain.rpc-secret-id", provisioned.rpcSecretId());
            properties.put("flywheel.chain.id", devnet.chainId());
            properties.put("flywheel.distributor.address", provisioned.contracts().distributorAddress());
            properties.put("flywheel.metrics.emf", false);
            int hostPort;
            try (var socket = new java.net.ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
                hostPort = socket.getLocalPort();
            }
            properties.put("flywheel.iot-data.endpoint", "http://127.0.0.1:" + hostPort);
            // Receipts touch no table; with a thousand devices the host's data plane is the bottleneck (override to measure it).
            properties.put("flywheel.receipts.mode", System.getProperty("flywheel.cost.receipts", "rejections"));
            var settings = new LocalFunctionHost.Settings(properties, provisioned.queueUrl(), Duration.ofSeconds(30),
                    Duration.ofSeconds(30), hostPort);
            VerifierMeter.METER.reset();
            VerifierMeter.meterThread("sqs-event-source");
            VerifierMeter.meterVerifyThreads(true);
            try (var host = new LocalFunctionHost(devnet, settings, sqs, msg -> System.err.println("[host] " + msg))) {
                host.start();
                long start = System.nanoTime();
                FleetReport report = FleetSimulator.run(fleet, devnet.mqtt(), PROOFS, ProgressListener.printingTo(System.out),
                        RunOptions.defaults().withReceiptGrace(Duration.ofSeconds(2)));
                var ledger = new DynamoProofLedger(dynamo, provisioned.tables(), clock, Duration.ofDays(1));
                int delivered = report.pubacks();
                // moto serves the whole fleet one request at a time: about 5-20 proofs/s on this machine, depending on its load.
                long deadline = System.nanoTime() + Duration.ofSeconds(120 + delivered / 4).toNanos();
                // The host's count first: counting the ledger is a full scan, which at a thousand devices would take most of
                // moto's (single-threaded) time if repeated every few seconds.
                while (host.handledMessages() < delivered && System.nanoTime() < deadline) {
                    Thread.sleep(2000);
                }
                DynamoProofLedger.VerdictCounts counts = ledger.countVerdicts();
                while (counts.accepted() + counts.rejected() < delivered && System.nanoTime() < deadline) {
                    Thread.sleep(5000);
                    counts = ledger.countVerdicts();
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                // Under load a PUBACK can time out although the broker took the message: every acknowledged message has
                // a verdict, and no message has more than one (at most one verdict per published message).
                long verdicts = counts.accepted() + counts.rejected();
                assertTrue(verdicts >= delivered && verdicts <= report.published(),
                        delivered + " acknowledged, " + report.published() + " published, verdicts " + counts);

                // Units per device from the keys each request touched, then per role.
                Map<String, DeviceRole> roles = new LinkedHashMap<>();
                fleet.forEach(d -> roles.put(d.deviceId(), d.role()));
                double[] honest = new double[2];
                double[] bad = new double[2];
                double unattributed = 0;
                for (var e : VerifierMeter.METER.unitsByPartition().entrySet()) {
                    String device = deviceOf(e.getKey());
                    DeviceRole role = device == null ? null : roles.get(device);
                    double[] into = role == DeviceRole.HONEST ? honest
                            : role == DeviceRole.FORGER || role == DeviceRole.OUT_OF_RANGE ? bad : null;
                    if (into != null) {
                        into[0] += e.getValue().read();
                        into[1] += e.getValue().write();
                    } else if (role == null) {
                        unattributed += e.getValue().read() + e.getValue().write();
                    }
                }
                // Verdicts actually recorded per role (a device that could not connect published nothing).
                long honestProofs = 0;
                long badProofs = 0;
                for (DynamoProofLedger.VerdictRecord v : ledger.scanVerdicts()) {
                    DeviceRole role = roles.get(v.deviceId());
                    if (role == DeviceRole.HONEST && "accepted".equals(v.outcome())) {
                        honestProofs++;
                    } else if (role == DeviceRole.FORGER || role == DeviceRole.OUT_OF_RANGE) {
                        badProofs++;
                    }
                }
                DynamoCapacityMeter.Units total = VerifierMeter.METER.units();
                System.out.printf("[ledger-cost] mqtt: %d devices x %d proofs over MQTT/mTLS -> rule -> SQS -> verifier: %d delivered, "
                                + "%d accepted, %s rejected, %.1f s (%.0f proofs/s); per accepted proof (honest devices) %.3f WCU, %.3f RCU; "
                                + "per rejected proof (forgers, out of range) %.3f WCU, %.3f RCU; all verifier units %.0f WCU, %.0f RCU "
                                + "(%.0f not attributable to a device: epoch status reads)%n",
                        deviceCount, PROOFS, delivered, counts.accepted(), counts.rejectedByReason(), seconds, delivered / seconds,
                        honest[1] / honestProofs, honest[0] / honestProofs, bad[1] / badProofs, bad[0] / badProofs,
                        total.write(), total.read(), unattributed);
                assertTrue(honest[1] / honestProofs <= 1.5, "write units per accepted proof");
                assertTrue(honest[0] / honestProofs <= 1.0, "read units per accepted proof");
                Set<String> devices = new HashSet<>(roles.keySet());
                assertEveryWriteIsKeyedByOneDevice(VerifierMeter.METER.writes(), provisioned.tables().ledger(), devices);
            } finally {
                VerifierMeter.meterThread(null);
                VerifierMeter.meterVerifyThreads(false);
            }
        }
    }

    /** The device a metered partition belongs to: ledger {@code P#<device>} / {@code V#<device>}, or a devices-table key. */
    private static String deviceOf(String partition) {
        String pk = partition.substring(partition.indexOf('/') + 1);
        if (partition.contains("-proof-ledger/")) {
            return pk.startsWith("P#") || pk.startsWith("V#") ? pk.substring(2) : null;
        }
        if (partition.contains("-devices/")) {
            return pk.startsWith("DENY#") ? null : pk;
        }
        return null;
    }

    /** Fails unless every write went to the ledger under a key of one of {@code devices} (its state or its rejections). */
    static void assertEveryWriteIsKeyedByOneDevice(List<DynamoCapacityMeter.Write> writes, String ledgerTable, Set<String> devices) {
        assertTrue(!writes.isEmpty() || devices.isEmpty(), "no writes were metered");
        for (DynamoCapacityMeter.Write w : writes) {
            for (String key : w.partitionKeys()) {
                int slash = key.indexOf('/');
                assertEquals(ledgerTable, key.substring(0, slash), "a hot-path write outside the ledger: " + key);
                String pk = key.substring(slash + 1);
                String device = pk.startsWith("P#") || pk.startsWith("V#") ? pk.substring(2) : null;
                assertNotNull(device, "a hot-path write to a key no single device owns: " + key + " (" + w.operation() + ")");
                assertTrue(devices.contains(device), "a hot-path write keyed by another device: " + key);
            }
        }
    }

    private static int run(ProofVerifierHandler handler, List<SQSEvent.SQSMessage> messages, long[] nanos) {
        int batches = 0;
        for (int i = 0; i < messages.size(); i += BATCH) {
            SQSEvent event = new SQSEvent();
            event.setRecords(new ArrayList<>(messages.subList(i, Math.min(i + BATCH, messages.size()))));
            long start = System.nanoTime();
            VerifierMeter.meterThisThread(true);
            VerifierMeter.meterVerifyThreads(true);
            try {
                assertEquals(List.of(), handler.handleRequest(event, null).getBatchItemFailures());
            } finally {
                VerifierMeter.meterThisThread(false);
                VerifierMeter.meterVerifyThreads(false);
            }
            nanos[0] += System.nanoTime() - start;
            batches++;
        }
        return batches;
    }

    private static SQSEvent.SQSMessage message(String thing, byte[] payload, Instant receivedAt) {
        SQSEvent.SQSMessage m = new SQSEvent.SQSMessage();
        String id = UUID.randomUUID().toString();
        m.setMessageId(id);
        m.setBody("{\"payload\":\"" + Base64.getEncoder().encodeToString(payload) + "\",\"thing\":\"" + thing
                + "\",\"topic\":\"flywheel/v1/" + thing + "/proofs\",\"receivedAt\":" + receivedAt.toEpochMilli() + "}");
        m.setEventSource("aws:sqs");
        m.setReceiptHandle("rh-" + id);
        return m;
    }
}
