package dev.flywheel.devnet;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flywheel.core.crypto.DeviceSigningKey;
import dev.flywheel.core.crypto.SignatureScheme;
import dev.flywheel.core.epoch.EpochClock;
import dev.flywheel.core.proof.ProofCodec;
import dev.flywheel.core.reward.WorkCredit;
import dev.flywheel.core.types.coverage.CoverageResult;
import dev.flywheel.core.types.coverage.Hip15;
import dev.flywheel.core.proof.DeviceRecord;
import dev.flywheel.core.proof.DeviceStatus;
import dev.flywheel.device.mqtt.DeviceClient;
import dev.flywheel.device.pki.LocalCertificateAuthority;
import dev.flywheel.device.sim.CoverageFleet;
import dev.flywheel.device.sim.CoverageRole;
import dev.flywheel.device.sim.H3Cells;
import dev.flywheel.dynamodb.DynamoCoverageReports;
import dev.flywheel.dynamodb.DynamoDeviceRegistry;
import dev.flywheel.dynamodb.DynamoProofLedger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sqs.SqsClient;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Proof of coverage on the real local servers: a beaconer and honest, spoofed-RSSI and colluding witnesses publish
 * over MQTT/mTLS with entropy the devnet's network-entropy function broadcast, plus a forged signature, a replay and a
 * teleporting beacon.
 * The host's rule/queue/verifier record the verdicts, the scheduled epoch closer evaluates the window once it has
 * closed, and a forced redelivery of every queue message plus more closer runs change nothing.
 */
class CoverageFleetIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OWNER = "0x00000000000000000000000000000000000c0fe1";

    @Test
    void everyProofIsAccountedForOnceAndHonestWitnessesAreCreditedOnce() throws Exception {
        DevnetConfig devnet = DevnetFixture.freshStack("it-cov-");
        try (DevnetFixture.Clients aws = DevnetFixture.Clients.open()) {
            DynamoDbClient dynamo = aws.dynamo();
            SqsClient sqs = aws.sqs();
            SecretsManagerClient secrets = aws.secrets();
            var provisioned = new DevnetProvisioner(devnet, dynamo, sqs, secrets).provision();

            // The fleet: 1 beaconer, 3 honest witnesses, 1 spoofing RSSI, a colluding cluster of 2.
            SecureRandom rnd = new SecureRandom();
            Path certDir = Files.createDirectories(devnet.certsDir().resolve("coverage"));
            var ca = LocalCertificateAuthority.load(devnet.caCert(), devnet.caKey());
            CoverageFleet fleet = CoverageFleet.provision(ca, certDir, rnd, null, OWNER, H3Cells.DEFAULT_ANCHOR, 3, 1, 2);
            var registry = new DynamoDeviceRegistry(dynamo, provisioned.tables().devices());
            for (CoverageFleet.Member m : fleet.all()) {
                var d = m.device();
                registry.register(new DeviceRecord(d.deviceId(), d.signingKey().scheme(), d.signingKey().publicKey(),
                        d.ownerAddress(), DeviceStatus.ACTIVE, d.h3Cell()), "flywheel-sim", Instant.now());
            }

            // One long epoch (1 h, the run is in epoch 1): nothing closes during the test.
            Instant genesis = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(3600);
            EpochClock clock = new EpochClock(genesis, Duration.ofHours(1));
            var proofs = new DynamoProofLedger(dynamo, provisioned.tables(), clock, Duration.ofDays(1));
            DynamoCoverageReports coverage = proofs.coverage();
            // A network that has been running: everyone beaconed and witnessed an hour ago (reciprocity holds).
            // A new network's first windows fail no_reciprocity and record the history the next ones need.
            for (CoverageFleet.Member m : fleet.all()) {
                coverage.history().record(m.deviceId(), CoverageResult.Role.BEACONED, Instant.now().minus(Duration.ofHours(1)));
                coverage.history().record(m.deviceId(), CoverageResult.Role.WITNESSED, Instant.now().minus(Duration.ofHours(1)));
            }

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
            properties.put("flywheel.entropy.table", devnet.stackName() + "-entropy");
            properties.put("flywheel.metrics.emf", false);
            properties.put("flywheel.devnet.entropy-rate-seconds", 2);
            // Windows are evaluated 4 s + 3 s after the beacon instead of 4 s + 60 s.
            properties.put("flywheel.coverage.settle-seconds", 3);
            int port = freePort();
            properties.put("flywheel.iot-data.endpoint", "http://127.0.0.1:" + port);
            var settings = new LocalFunctionHost.Settings(properties, provisioned.queueUrl(), Duration.ofSeconds(2),
                    Duration.ofSeconds(30), port);

            List<DeviceClient> clients = new ArrayList<>();
            try (var host = new LocalFunctionHost(devnet, settings, sqs, msg -> System.err.println("[host] " + msg))) {
                host.start();
                Map<String, DeviceClient> byId = new HashMap<>();
                for (CoverageFleet.Member m : fleet.all()) {
                    DeviceClient c = DeviceClient.builder(m.deviceId(), m.device().certPath(), m.device().keyPath(), devnet.mqtt()).build();
                    c.connect();
                    clients.add(c);
                    byId.put(m.deviceId(), c);
                }
                // The beaconer waits for the network's entropy broadcast.
                AtomicReference<String> entropy = new AtomicReference<>();
                byId.get(fleet.beaconer().deviceId()).subscribeEntropy(payload -> {
                    try {
                        entropy.compareAndSet(null, JSON.readTree(payload).path("entropy").asText());
                    } catch (Exception ignored) {
                        // not an entropy message
                    }
                }).get(10, TimeUnit.SECONDS);
                await(Duration.ofSeconds(30), () -> entropy.get() != null);
                String e = entropy.get();

                Clock now = Clock.systemUTC();
                CoverageFleet.Member honest1 = fleet.witnesses().get(0);
                CoverageFleet.Member honest3 = fleet.witnesses().get(2);
                byte[] honest1Report = fleet.witnessProof(honest1, e, 1, now);
                byId.get(fleet.beaconer().deviceId()).publishProof(fleet.beaconProof(e, 1, now)).get(10, TimeUnit.SECONDS);
                List<CompletableFuture<Void>> acks = new ArrayList<>();
                for (CoverageFleet.Member w : fleet.witnesses()) {
                    acks.add(byId.get(w.deviceId()).publishProof(w == honest1 ? honest1Report : fleet.witnessProof(w, e, 1, now)));
                }
                CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
                // A forged signature (honest-3's report signed with a key the registry does not know) and a replay.
                DeviceSigningKey rogue = DeviceSigningKey.generate(SignatureScheme.ED25519, rnd);
                byId.get(honest3.deviceId()).publishProof(fleet.witnessProof(honest3, e, 2, now, rogue)).get(10, TimeUnit.SECONDS);
                byId.get(honest1.deviceId()).publishProof(honest1Report).get(10, TimeUnit.SECONDS);
                // A teleport: the beaconer signs a beacon claiming to stand in San Francisco, ~4,100 km from its asserted cell.
                var beaconer = fleet.beaconer().device();
                byte[] teleport = ProofCodec.encode(beaconer.deviceId(), 3, Instant.now(), "8928308280fffff",
                        ProofCodec.decode(fleet.beaconProof(e, 3, now)).body(), beaconer.signingKey());
                byId.get(beaconer.deviceId()).publishProof(teleport).get(10, TimeUnit.SECONDS);
                int delivered = 1 + fleet.witnesses().size() + 3;

                await(Duration.ofSeconds(60), () -> {
                    var c = proofs.countVerdicts();
                    return c.accepted() + c.rejected() >= delivered;
                });
                await(Duration.ofSeconds(60), () -> !coverage.outcomesForDevice(fleet.beaconer().deviceId()).isEmpty());

                Snapshot first = snapshot(proofs, coverage, fleet, clock.epochOf(Instant.now()));
                System.out.println("[coverage-it] " + first);
                // Every delivered message has exactly one verdict.
                assertEquals(delivered, first.verdicts.accepted() + first.verdicts.rejected(), first.toString());
                assertEquals(1 + fleet.witnesses().size(), first.verdicts.accepted(), first.toString());
                assertEquals(Map.of("bad_signature", 1L, "replayed", 1L, "location_mismatch", 1L), first.verdicts.rejectedByReason());
                // Every accepted coverage proof has exactly one coverage outcome, with its reason.
                Map<String, String> expected = new TreeMap<>();
                expected.put(fleet.beaconer().deviceId(), "valid");
                for (CoverageFleet.Member w : fleet.witnesses()) {
                    expected.put(w.deviceId(), switch (w.role()) {
                        case HONEST_WITNESS, HONEST_BEACONER -> "valid";
                        case SPOOFED_RSSI -> "rssi_too_strong";
                        case COLLUDING -> "witness_too_close";
                    });
                }
                assertEquals(expected, first.outcomes, first.toString());
                // HIP-15 with n = 3 rewarded witnesses: beaconer 3/4, each honest witness 1 (micro-units).
                Map<String, Long> credits = new TreeMap<>();
                credits.put(fleet.beaconer().deviceId(), Hip15.beaconerMicros(3));
                fleet.witnesses().stream().filter(w -> w.role() == CoverageRole.HONEST_WITNESS)
                        .forEach(w -> credits.put(w.deviceId(), Hip15.witnessMicros(3)));
                assertEquals(credits, first.credits, first.toString());
                var honestOutcome = coverage.outcomesForDevice(honest1.deviceId()).get(0);
                assertNull(honestOutcome.reason());
                var spoofed = fleet.witnesses().stream().filter(w -> w.role() == CoverageRole.SPOOFED_RSSI).findFirst().orElseThrow();
                assertNotNull(coverage.outcomesForDevice(spoofed.deviceId()).get(0).evidence().get("maxRssiDbm"));

                // Forced redelivery of every queue message (same ids, same bodies) and more closer runs, also
                // past the orphan horizon: nothing is recorded, judged or credited again.
                assertEquals(delivered, host.redeliverAll());
                host.invokeEpochCloser();
                var far = new dev.flywheel.core.types.coverage.CoverageWindowEvaluator(
                        new dev.flywheel.core.types.coverage.CoverageWindow(
                                dev.flywheel.core.types.coverage.CoverageConfig.defaults(),
                                new dev.flywheel.dynamodb.DynamoEntropyLedger(dynamo, devnet.stackName() + "-entropy", Duration.ofDays(1)),
                                dev.flywheel.core.types.coverage.RegionResolver.h3Parent(3), coverage.history(),
                                dev.flywheel.core.types.coverage.CoverageDenylist.NONE,
                                dev.flywheel.core.types.coverage.AntennaGains.ZERO), coverage)
                        .evaluateDue(Instant.now().plus(Duration.ofMinutes(10)), 100);
                assertEquals(0, far.windows());
                assertEquals(0, far.lateOrOrphanWitnesses());
                Snapshot after = snapshot(proofs, coverage, fleet, clock.epochOf(Instant.now()));
                assertEquals(first.toString(), after.toString(), "a redelivery and re-evaluation change nothing");
            } finally {
                clients.forEach(DeviceClient::close);
            }
        }
    }

    /** Verdict counts, outcome per device (valid or reason; a device with two outcomes fails), credits per device. */
    private record Snapshot(DynamoProofLedger.VerdictCounts verdicts, Map<String, String> outcomes, Map<String, Long> credits,
                            Map<String, Integer> outcomeCounts) {
    }

    private static Snapshot snapshot(DynamoProofLedger proofs, DynamoCoverageReports coverage, CoverageFleet fleet, long epoch) {
        Map<String, String> outcomes = new TreeMap<>();
        Map<String, Integer> counts = new TreeMap<>();
        for (CoverageFleet.Member m : fleet.all()) {
            var list = coverage.outcomesForDevice(m.deviceId());
            counts.put(m.deviceId(), list.size());
            assertEquals(1, list.size(), m.deviceId() + " has exactly one coverage outcome: " + list);
            outcomes.put(m.deviceId(), list.get(0).reason() == null ? "valid" : list.get(0).reason());
        }
        Map<String, Long> credits = proofs.credits(epoch).stream().filter(c -> c.units() > 0)
                .collect(Collectors.groupingBy(WorkCredit::deviceId, TreeMap::new, Collectors.summingLong(WorkCredit::units)));
        assertTrue(counts.values().stream().allMatch(n -> n == 1));
        return new Snapshot(proofs.countVerdicts(), outcomes, credits, counts);
    }

    private static int freePort() throws java.io.IOException {
        try (var socket = new java.net.ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void await(Duration timeout, BooleanSupplier done) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (!done.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("timed out after " + timeout);
            }
            Thread.sleep(500);
        }
    }
}
