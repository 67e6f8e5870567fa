package dev.flywheel.devnet;

import dev.flywheel.core.epoch.EpochClock;
import dev.flywheel.core.reward.WorkCredit;
import dev.flywheel.core.types.bandwidth.BandwidthReceipt;
import dev.flywheel.device.mqtt.DeviceClient;
import dev.flywheel.device.mqtt.Receipt;
import dev.flywheel.device.pki.LocalCertificateAuthority;
import dev.flywheel.device.sim.BandwidthFleet;
import dev.flywheel.device.sim.BandwidthRole;
import dev.flywheel.dynamodb.DynamoDeviceRegistry;
import dev.flywheel.dynamodb.DynamoProofLedger;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code bandwidth.receipt} on the real local servers: a node (capability {@code bandwidth.125000000}) submits receipts
 * its clients countersigned, over MQTT/mTLS; the host's rule, queue and verifier (with the DynamoDB session store in
 * the challenges table) judge each, and the node reads every verdict on its receipts topic. Honest sessions are
 * credited by the megabyte; a colluding client (the node's owner), a reused session nonce, a receipt over the pair cap
 * and bytes inflated after the client signed are rejected with their reasons. A forced redelivery of every queue
 * message changes nothing (no double credit, no counter moved twice).
 */
class BandwidthFleetIT {
    private static final String NODE_OWNER = "0x00000000000000000000000000000000000b00d1";
    private static final String CLIENT_OWNER = "0x00000000000000000000000000000000000c11e1";
    private static final long GB = 1_000_000_000L;

    @Test
    void honestSessionsAreCreditedAndSelfDealingReusedAndOverCapReceiptsAreRejected() throws Exception {
        DevnetConfig devnet = DevnetFixture.freshStack("it-bw-");
        try (DevnetFixture.Clients aws = DevnetFixture.Clients.open()) {
            var provisioned = new DevnetProvisioner(devnet, aws.dynamo(), aws.sqs(), aws.secrets()).provision();
            SecureRandom rnd = new SecureRandom();
            Path certDir = Files.createDirectories(devnet.certsDir().resolve("bandwidth"));
            var ca = LocalCertificateAuthority.load(devnet.caCert(), devnet.caKey());
            BandwidthFleet fleet = BandwidthFleet.provision(ca, certDir, rnd, null, NODE_OWNER, CLIENT_OWNER, 2, 1);
            var registry = new DynamoDeviceRegistry(aws.dynamo(), provisioned.tables().devices());
            var node = fleet.node();
            registry.register(new dev.flywheel.core.proof.DeviceRecord(node.deviceId(), node.signingKey().scheme(),
                    node.signingKey().publicKey(), node.ownerAddress(), dev.flywheel.core.proof.DeviceStatus.ACTIVE, null),
                    "flywheel-sim", Instant.now(), Set.of(BandwidthFleet.capacityCapability()));
            for (BandwidthFleet.Client c : fleet.clients()) {
                registry.register(c.record(), "flywheel-sim", Instant.now());
            }

            // One long epoch (1 h, the run is in epoch 1): nothing closes during the test.
            Instant genesis = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(3600);
            EpochClock epochs = new EpochClock(genesis, Duration.ofHours(1));
            var proofs = new DynamoProofLedger(aws.dynamo(), provisioned.tables(), epochs, Duration.ofDays(1));
            int port = HostProperties.freePort();
            var settings = new LocalFunctionHost.Settings(HostProperties.forStack(devnet, provisioned, genesis, 3600, port),
                    provisioned.queueUrl(), Duration.ofSeconds(2), Duration.ofSeconds(30), port);

            Map<Long, String> verdicts = new ConcurrentHashMap<>();
            try (var host = new LocalFunctionHost(devnet, settings, aws.sqs(), msg -> System.err.println("[host] " + msg));
                 DeviceClient client = DeviceClient.builder(node.deviceId(), node.certPath(), node.keyPath(), devnet.mqtt())
                         .onReceipt((Receipt r) -> verdicts.put(r.seq(), r.accepted() ? "accepted" : r.reason()))
                         .build()) {
                host.start();
                client.connect();
                Clock now = Clock.systemUTC();
                BandwidthFleet.Client a = fleet.clients(BandwidthRole.HONEST_CLIENT).get(0);
                BandwidthFleet.Client b = fleet.clients(BandwidthRole.HONEST_CLIENT).get(1);
                BandwidthFleet.Client colluder = fleet.clients(BandwidthRole.COLLUDING_CLIENT).get(0);
                String sessionA = fleet.newSession();
                BandwidthReceipt small = fleet.receipt(b, fleet.newSession(), GB / 1000, now);
                // In order, each verdict awaited before the next publish: the queue is not FIFO, and the cases build on
                // each other (the reused session and the pair cap need the earlier credits).
                Map<Long, BandwidthReceipt> published = new LinkedHashMap<>();
                published.put(1L, fleet.receipt(a, sessionA, 2 * GB, now));
                published.put(2L, fleet.receipt(b, fleet.newSession(), GB, now));
                published.put(3L, fleet.receipt(colluder, fleet.newSession(), GB, now));
                published.put(4L, fleet.receipt(a, sessionA, GB, now));
                published.put(5L, fleet.receipt(b, fleet.newSession(), 49_500_000_000L, now));
                published.put(6L, BandwidthFleet.inflated(small, GB));
                for (var e : published.entrySet()) {
                    client.publishProof(fleet.proof(e.getKey(), e.getValue(), now)).get(10, TimeUnit.SECONDS);
                    long seq = e.getKey();
                    await(Duration.ofSeconds(60), () -> verdicts.containsKey(seq));
                }
                Map<Long, String> expected = Map.of(1L, "accepted", 2L, "accepted", 3L, "self_dealing",
                        4L, "session_reused", 5L, "pair_cap_exceeded", 6L, "bad_client_signature");
                System.out.println("[bandwidth-it] receipts by seq " + new java.util.TreeMap<>(verdicts));
                assertEquals(expected, Map.copyOf(verdicts));

                long epoch = epochs.epochOf(Instant.now());
                var counts = proofs.countVerdicts();
                assertEquals(2, counts.accepted(), counts.toString());
                assertEquals(Map.of("self_dealing", 1L, "session_reused", 1L, "pair_cap_exceeded", 1L, "bad_client_signature", 1L),
                        counts.rejectedByReason());
                // 2 GB + 1 GB served, one unit per MB.
                assertEquals(3000, nodeUnits(proofs, epoch, node.deviceId()));

                // Every queue message again (same ids, same bodies): nothing is recorded or credited twice, and the
                // pair counter did not move (B can still be credited up to the cap: 1 GB + 49 GB).
                assertEquals(published.size(), host.redeliverAll());
                Thread.sleep(6000);
                assertEquals(counts, proofs.countVerdicts());
                assertEquals(3000, nodeUnits(proofs, epoch, node.deviceId()));
                client.publishProof(fleet.proof(7, fleet.receipt(b, fleet.newSession(), 49 * GB, now), now)).get(10, TimeUnit.SECONDS);
                await(Duration.ofSeconds(60), () -> verdicts.containsKey(7L));
                assertEquals("accepted", verdicts.get(7L));
                assertEquals(52_000, nodeUnits(proofs, epoch, node.deviceId()));
            }
        }
    }

    private static long nodeUnits(DynamoProofLedger proofs, long epoch, String nodeId) {
        return proofs.credits(epoch).stream().filter(c -> c.deviceId().equals(nodeId)).mapToLong(WorkCredit::units).sum();
    }

    private static void await(Duration timeout, BooleanSupplier done) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (!done.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("timed out after " + timeout);
            }
            Thread.sleep(250);
        }
    }
}
