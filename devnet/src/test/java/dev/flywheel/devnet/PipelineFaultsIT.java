package dev.flywheel.devnet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flywheel.chain.ChainConfig;
import dev.flywheel.chain.ClaimResult;
import dev.flywheel.chain.ContractRevertedException;
import dev.flywheel.chain.RewardsClaimer;
import dev.flywheel.chain.RootPublisher;
import dev.flywheel.core.crypto.Encoding;
import dev.flywheel.core.epoch.EpochClock;
import dev.flywheel.core.epoch.EpochLedger;
import dev.flywheel.core.proof.DeviceRecord;
import dev.flywheel.core.proof.DeviceStatus;
import dev.flywheel.device.mqtt.MqttEndpoint;
import dev.flywheel.device.pki.LocalCertificateAuthority;
import dev.flywheel.device.sim.FleetMix;
import dev.flywheel.device.sim.FleetReport;
import dev.flywheel.device.sim.FleetSimulator;
import dev.flywheel.device.sim.RunOptions;
import dev.flywheel.device.sim.SimulatedDevice;
import dev.flywheel.dynamodb.DynamoDeviceRegistry;
import dev.flywheel.dynamodb.DynamoEpochLedger;
import dev.flywheel.dynamodb.DynamoProofLedger;
import dev.flywheel.dynamodb.DynamoTransactionJournal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Faults during a fleet run through the whole devnet pipeline (MQTT/mTLS -> rule bridge -> SQS -> verifier ->
 * DynamoDB -> closer -> settler -> chain): after each, every published proof has its verdict, accepted or rejected
 * with a reason, each delivery exactly one, nothing is credited twice ({@link Accounting}), and the system caught up
 * without help. MQTT QoS 1 and the rule's SQS action are at least once, so a fault may deliver a copy twice: the copy
 * gets a verdict of its own, a rejection by the replay guard, and is counted and printed, never credited. Each fault is
 * injected while the fleet's run is under way, one test per fault:
 * <ul>
 *   <li>the verifier killed mid-batch (three times): SQS redelivers, the verdicts already written are not written
 *       again;</li>
 *   <li>DynamoDB throttling (every 4th request through a {@link FaultProxy} while the fleet publishes);</li>
 *   <li>the AWS stand-in's endpoint down for 3 s and back;</li>
 *   <li>the broker restarted: a {@link PrivateBroker} (the devnet's mTLS and ACL config, persistent sessions) is stopped
 *       while the fleet publishes once a second and started again 3 s later; the devices' publishes made meanwhile
 *       wait in the Device SDK's offline queue, go out after the reconnect, and the rules engine's persistent session
 *       gets what was queued for it;</li>
 *   <li>the chain RPC down during settlement: the settler's RPC is a proxy in front of Anvil that takes the root's
 *       {@code eth_sendRawTransaction}, passes it to Anvil, swallows the answer and stays down for 8 s; the settler
 *       fails until it is back, then finds the journaled transaction mined: that epoch's root on chain once, from the
 *       one transaction it signed, and every owner's claim pays what the ledger says;</li>
 *   <li>a reorg during settlement: the root transaction is mined, the settler reads its receipt, and Anvil reorganises
 *       that block away ({@code anvil_reorg}) before it is final; the settler notices at finality, and its next run
 *       broadcasts the journaled bytes again (or, when a later epoch closed meanwhile, publishes that epoch's root,
 *       which covers it): one root per epoch on chain, claims pay each owner once.</li>
 * </ul>
 * The settling runs use 30 s epochs starting at the run (the fleet's proofs fall in the first) and the schedules at
 * 2 s; the others hour-long epochs and nothing settles. Bounded for CI (a small fleet);
 * {@code -Dflywheel.faults.devices=N -Dflywheel.faults.proofs=M} runs a bigger one.
 *
 * <p>The same faults on single components: {@code RootPublisherFaultsIT} (adapters/chain: stuck, replaced, reorged and
 * reconciled roots), {@code EpochSettlerAlarmIT} (a chain that refuses the root), {@code DeviceClientOfflineIT} (one
 * device's publish while its broker is down), {@code DemoIT} (a redelivered batch), {@code PaperTrailIT} (a crash
 * between the state write and the paper trail).
 */
class PipelineFaultsIT {
    private static final int DEVICES = Integer.getInteger("flywheel.faults.devices", 20);
    private static final int PROOFS = Integer.getInteger("flywheel.faults.proofs", 5);
    private static final long EPOCH_SECONDS = 3600;
    /** Epochs of the settling runs: long enough for the fleet and its verdicts to fit in the first one here. */
    private static final long SETTLE_EPOCH_SECONDS = 30;
    /** The queue's visibility timeout for these runs: a failed or abandoned batch comes back after it. */
    private static final int VISIBILITY_SECONDS = 5;
    private static final Duration BROKER_DOWN = Duration.ofSeconds(3);
    private static final Duration RPC_DOWN = Duration.ofSeconds(8);
    private static final List<String> OWNERS = List.of("0x00000000000000000000000000000000000f1ee1",
            "0x00000000000000000000000000000000000f1ee2");
    private static final String ROOT_PROPOSED = Hash.sha3String("RootProposed(uint64,bytes32,uint256,bytes32,uint256)");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** A fault, injected once the fleet's first proofs are in flight. */
    @FunctionalInterface
    private interface Fault {
        void inject(LocalFunctionHost host, LoadRun.Timeline published) throws Exception;
    }

    /**
     * One run's set-up.
     *
     * @param awsProxy      the host's functions reach moto through it (null: directly)
     * @param broker        the broker of the host and the fleet (null: the devnet's)
     * @param chainProxy    non-null: the run settles, the settler's RPC (the RPC secret) is this proxy in front of Anvil
     * @param proofInterval pause between a device's proofs (zero: back to back)
     */
    private record Scenario(String prefix, FaultProxy awsProxy, MqttEndpoint broker, FaultProxy chainProxy,
                            Duration proofInterval, Fault fault, Runnable heal) {
        static Scenario of(String prefix, Fault fault) {
            return new Scenario(prefix, null, null, null, Duration.ZERO, fault, () -> {
            });
        }

        Scenario throughAws(FaultProxy proxy) {
            return new Scenario(prefix, proxy, broker, chainProxy, proofInterval, fault, heal);
        }

        Scenario onBroker(MqttEndpoint endpoint) {
            return new Scenario(prefix, awsProxy, endpoint, chainProxy, proofInterval, fault, heal);
        }

        Scenario settlingThrough(FaultProxy rpc) {
            return new Scenario(prefix, awsProxy, broker, rpc, proofInterval, fault, heal);
        }

        Scenario paced(Duration interval) {
            return new Scenario(prefix, awsProxy, broker, chainProxy, interval, fault, heal);
        }

        Scenario healedBy(Runnable action) {
            return new Scenario(prefix, awsProxy, broker, chainProxy, proofInterval, fault, action);
        }

        boolean settles() {
            return chainProxy != null;
        }
    }

    /**
     * One owner's claim after settlement.
     *
     * @param ledger       the owner's cumulative balance in the ledger at the settled epoch
     * @param api          what the claims API offered
     * @param paid         what the claim paid
     * @param againRefused the same claim once more was refused by the contract (nothing left to claim)
     */
    private record Claim(String owner, BigInteger ledger, BigInteger api, BigInteger paid, BigInteger balance,
                         boolean againRefused) {
    }

    /**
     * @param rootsOnChain every {@code RootProposed} of the run's distributor: epoch -> roots (hex)
     * @param journal       the settler's journaled transactions (attempts, hashes) per closed epoch
     * @param rootTxByEpoch the ledger's root transaction per closed epoch that has one (an epoch settled by a later
     *                      epoch's root, which covers it, has that root's transaction)
     */
    private record Settlement(long epoch, List<Long> closedEpochs, String manifestRoot, String rootTx,
                              Map<Long, List<String>> rootsOnChain, Map<Long, List<String>> journal, List<Claim> claims,
                              Map<Long, String> rootTxByEpoch) {
        int journaled() {
            return journal.getOrDefault(epoch, List.of()).size();
        }

        /** The closed epoch whose root {@code txHash} was signed for. */
        long epochOf(String txHash) {
            return journal.entrySet().stream().filter(e -> e.getValue().contains(txHash)).mapToLong(Map.Entry::getKey)
                    .findFirst().orElseThrow(() -> new AssertionError(txHash + " is in no epoch's journal: " + journal));
        }
    }

    /** What one fault run produced. */
    private record Outcome(FleetReport fleet, Accounting.Report books, LocalFunctionHost host, Settlement settlement,
                           List<String> hostLog, Map<String, Integer> published,
                           List<DynamoProofLedger.VerdictRecord> verdicts) {
        long hostLogLines(String prefix) {
            return hostLog.stream().filter(l -> l.startsWith(prefix)).count();
        }
    }

    @Test
    void theVerifierKilledMidBatchLosesNothingAndCreditsNothingTwice() throws Exception {
        Outcome o = run(Scenario.of("it-fault-kill-", (host, published) -> host.crashNextBatches(3)));
        long copies = assertCaughtUp(o);
        System.out.printf("[faults] verifier killed mid-batch 3 times (%d copies delivered twice, rejected): %s%n", copies,
                summary(o, copies));
    }

    @Test
    void dynamoDbThrottlingLosesNothingAndCreditsNothingTwice() throws Exception {
        try (FaultProxy proxy = new FaultProxy(URI.create(System.getenv("AWS_ENDPOINT_URL")))) {
            proxy.throttleEvery(4);
            Outcome o = run(Scenario.of("it-fault-throttle-", (host, published) -> {
            }).throughAws(proxy).healedBy(() -> proxy.throttleEvery(0)));
            assertTrue(proxy.throttled() > 0, "the proxy throttled some DynamoDB requests");
            long copies = assertCaughtUp(o);
            System.out.printf("[faults] %d DynamoDB requests throttled (every 4th while the fleet ran; %d copies delivered twice, "
                    + "rejected): %s%n", proxy.throttled(), copies, summary(o, copies));
        }
    }

    @Test
    void theAwsStandInRestartedLosesNothingAndCreditsNothingTwice() throws Exception {
        try (FaultProxy proxy = new FaultProxy(URI.create(System.getenv("AWS_ENDPOINT_URL")))) {
            Outcome o = run(Scenario.of("it-fault-restart-", (host, published) -> {
                Thread.sleep(1500);
                proxy.restart(Duration.ofSeconds(3));
            }).throughAws(proxy));
            long copies = assertCaughtUp(o);
            System.out.printf("[faults] AWS endpoint down 3 s mid-run (%d copies delivered twice, rejected): %s%n", copies,
                    summary(o, copies));
        }
    }

    @Test
    void theBrokerRestartedMidRunLosesNothingAndCreditsNothingTwice(@TempDir Path dir) throws Exception {
        try (PrivateBroker broker = PrivateBroker.start(dir, DevnetConfig.fromEnvironment(System.getenv()).mqtt())) {
            AtomicLong publishedWhileDown = new AtomicLong(-1);
            // A proof a second per device, so the fleet is still publishing while the broker is away.
            Outcome o = run(Scenario.of("it-fault-broker-", (host, published) -> {
                long before = published.published.get();
                broker.stop();
                Thread.sleep(BROKER_DOWN.toMillis());
                publishedWhileDown.set(published.published.get() - before);
                broker.start();
            }).onBroker(broker.endpoint()).paced(Duration.ofSeconds(1)));

            assertTrue(publishedWhileDown.get() > 0, "the fleet published while the broker was down");
            long copies = assertCaughtUp(o);
            System.out.printf("[faults] broker restarted mid-run (down %d s, %d proofs published meanwhile, %d delivered twice "
                            + "and rejected): %s%n", BROKER_DOWN.toSeconds(), publishedWhileDown.get(), copies,
                    summary(o, copies));
        }
    }

    @Test
    void theChainRpcDownDuringSettlementPutsTheRootOnChainOnceAndClaimsMatchTheLedger() throws Exception {
        DevnetConfig env = DevnetConfig.fromEnvironment(System.getenv());
        try (FaultProxy rpc = new FaultProxy(URI.create(env.chainRpc()))) {
            AtomicReference<String> cutOff = new AtomicReference<>();
            rpc.tap((request, status, response) -> {
                // The root's transaction reaches Anvil, its answer never reaches the settler, and the node is gone.
                if ("eth_sendRawTransaction".equals(JSON.readTree(request).path("method").asText())
                        && cutOff.compareAndSet(null, JSON.readTree(response).path("result").asText(null))) {
                    rpc.goDownFor(RPC_DOWN);
                    return false;
                }
                return true;
            });
            Outcome o = run(Scenario.of("it-fault-rpc-", (host, published) -> {
            }).settlingThrough(rpc));

            assertNotNull(cutOff.get(), "the settler sent a root through the RPC proxy");
            assertEquals(1, rpc.outages());
            assertTrue(o.hostLogLines("settler invocation failed") > 0, "the settler ran into the outage");
            assertCaughtUp(o);
            Settlement s = o.settlement();
            assertSettledOnce(s);
            // The transaction sent as the RPC died is mined once; its epoch has that one root on chain (a second
            // transaction for it would be a second RootProposed, or a revert the settler would have had to sign).
            JsonNode mined = rpcCall(env.chainRpc(), "eth_getTransactionReceipt", cutOff.get());
            assertEquals("0x1", mined.path("status").asText(), "the root sent before the outage is mined: " + mined);
            long cutEpoch = s.epochOf(cutOff.get());
            assertEquals(1, s.rootsOnChain().getOrDefault(cutEpoch, List.of()).size(), "epoch " + cutEpoch + " on chain once");
            assertEquals(List.of(cutOff.get()), s.journal().get(cutEpoch), "one signed transaction for epoch " + cutEpoch);
            assertClaimsMatchTheLedger(s);
            System.out.printf("[faults] chain RPC down %d s from the root's broadcast, settler failed %d times: roots on chain "
                            + "per epoch %s, epoch %d settled by tx %s (%d journal attempt), %d owners claimed what the ledger "
                            + "says; %s%n", RPC_DOWN.toSeconds(), o.hostLogLines("settler invocation failed"), s.rootsOnChain(),
                    s.epoch(), s.rootTx(), s.journaled(), s.claims().size(), summary(o, 0));
        }
    }

    @Test
    void aReorgDuringSettlementEndsWithOneRootPerEpochAndClaimsPayEachOwnerOnce() throws Exception {
        DevnetConfig env = DevnetConfig.fromEnvironment(System.getenv());
        try (FaultProxy rpc = new FaultProxy(URI.create(env.chainRpc()))) {
            AtomicReference<String> sent = new AtomicReference<>();
            AtomicBoolean reorged = new AtomicBoolean();
            AtomicLong reorgedBlock = new AtomicLong(-1);
            rpc.tap((request, status, response) -> {
                JsonNode call = JSON.readTree(request);
                String method = call.path("method").asText();
                if ("eth_sendRawTransaction".equals(method)) {
                    sent.compareAndSet(null, JSON.readTree(response).path("result").asText(null));
                } else if ("eth_getTransactionReceipt".equals(method) && sent.get() != null
                        && sent.get().equalsIgnoreCase(call.path("params").path(0).asText())) {
                    JsonNode receipt = JSON.readTree(response).path("result");
                    // The settler gets this receipt, but by the time it reads it the block is gone: mined, then reorganised out.
                    if (receipt.isObject() && reorged.compareAndSet(false, true)) {
                        long block = Long.decode(receipt.path("blockNumber").asText());
                        // Anvil keeps mining while we ask for the head: deepen until the transaction is really gone.
                        for (int slack = 0; slack < 5
                                && rpcCall(env.chainRpc(), "eth_getTransactionReceipt", sent.get()).isObject(); slack++) {
                            long head = Long.decode(rpcCall(env.chainRpc(), "eth_blockNumber").asText());
                            rpcCall(env.chainRpc(), "anvil_reorg", head - block + 1 + slack, List.of());
                        }
                        if (!rpcCall(env.chainRpc(), "eth_getTransactionReceipt", sent.get()).isObject()) {
                            reorgedBlock.set(block);
                        }
                    }
                }
                return true;
            });
            Outcome o = run(Scenario.of("it-fault-reorg-", (host, published) -> {
            }).settlingThrough(rpc));

            assertTrue(reorgedBlock.get() > 0, "the root transaction was mined and then reorganised out");
            assertTrue(o.hostLog().stream().anyMatch(l -> l.contains("reorganised out before finality")),
                    "the settler noticed the reorg at finality");
            assertCaughtUp(o);
            Settlement s = o.settlement();
            assertSettledOnce(s);
            // Re-published by itself: the journaled bytes again (same hash), or, when a later epoch closed meanwhile, that
            // epoch's root, which covers the reorganised one (cumulative leaves).
            long reorgedEpoch = s.epochOf(sent.get());
            JsonNode receipt = rpcCall(env.chainRpc(), "eth_getTransactionReceipt", sent.get());
            String how;
            if (receipt.isObject()) {
                assertEquals("0x1", receipt.path("status").asText(), "mined again after the reorg: " + receipt);
                assertEquals(List.of(sent.get()), s.journal().get(reorgedEpoch), "the same bytes, nothing signed anew");
                how = "the same bytes mined again in block " + Long.decode(receipt.path("blockNumber").asText());
            } else {
                assertTrue(s.epoch() > reorgedEpoch, "a later epoch's root settled epoch " + reorgedEpoch);
                assertFalse(s.rootsOnChain().containsKey(reorgedEpoch), "the reorganised root is not on chain");
                how = "epoch " + s.epoch() + "'s root (tx " + s.rootTx() + ") published instead, covering it";
            }
            assertClaimsMatchTheLedger(s);
            System.out.printf("[faults] epoch %d's root tx %s mined in block %d, reorganised out; %s; roots on chain per epoch "
                            + "%s, epoch %d settled, %d owners paid once; %s%n", reorgedEpoch, sent.get(), reorgedBlock.get(),
                    how, s.rootsOnChain(), s.epoch(), s.claims().size(), summary(o, 0));
        }
    }

    /**
     * Every device connected and every publish acknowledged; every published proof has a verdict, and each delivery
     * exactly one; the only extra verdicts are for copies delivered twice ({@link #atLeastOnceCopies}), each rejected;
     * no rejection without a reason, rewards for exactly the accepted units, no owner paid twice; nothing in the error
     * queue. Returns the number of copies.
     */
    private static long assertCaughtUp(Outcome o) {
        assertEquals(DEVICES, o.fleet().connected(), "every device connected");
        assertEquals(0, o.fleet().publishFailures(), "every publish acknowledged: " + o.fleet().errors());
        Accounting.Report books = o.books();
        String why = books.summary() + " " + books.problems();
        assertEquals(0, books.lost(), why);
        assertEquals(0, books.unexplained(), why);
        assertEquals(0, books.unitMismatches(), why);
        assertEquals(0, books.doublePaid(), why);
        long copies = atLeastOnceCopies(o);
        assertEquals(0, books.duplicated(), why);
        assertEquals(copies, books.redelivered(), "the only extra verdicts are rejections of copies delivered twice: " + why);
        assertEquals(o.fleet().expectedVerdicts() + copies, books.verdicts(), "one verdict per delivered message");
        assertEquals(0, o.host().errorRecords(), "no rule action ended in the error queue");
        if (o.settlement() != null) {
            assertTrue(books.epochsChecked() > 0 && books.devicesRewarded() > 0, "the books cover the settled epochs: " + why);
        }
        return copies;
    }

    /** Exactly one root per epoch on chain, the settled epoch's the one its manifest holds, one journal attempt. */
    private static void assertSettledOnce(Settlement s) {
        assertNotNull(s.rootTx(), "epoch " + s.epoch() + " settled with a root transaction");
        s.rootsOnChain().forEach((epoch, roots) -> assertEquals(1, roots.size(), "roots on chain for epoch " + epoch + ": " + roots));
        assertEquals(List.of(s.manifestRoot()), s.rootsOnChain().get(s.epoch()), "the settled epoch's root on chain");
        assertEquals(1, s.journaled(), "one signed transaction for the root (no replacement, no re-sign)");
    }

    private static void assertClaimsMatchTheLedger(Settlement s) {
        assertFalse(s.claims().isEmpty(), "some owner had something to claim");
        for (Claim c : s.claims()) {
            assertEquals(c.ledger(), c.api(), c.owner() + ": the claims API offers what the ledger holds");
            assertEquals(c.ledger(), c.paid(), c.owner() + ": the claim paid the ledger's cumulative balance");
            assertEquals(c.ledger(), c.balance(), c.owner() + ": token balance");
            assertTrue(c.againRefused(), c.owner() + ": a second claim pays nothing");
        }
    }

    /** The books' summary, saying so when its only finding is copies delivered twice (each rejected). */
    private static String summary(Outcome o, long copies) {
        String summary = o.books().summary();
        return copies == 0 ? summary : summary.replaceFirst("^BOOKS DO NOT BALANCE",
                "books balance but for " + copies + " copies delivered twice, each rejected");
    }

    /**
     * Copies delivered more than once: MQTT QoS 1 and the rule's SQS action are at least once (a publish whose PUBACK a
     * broker restart cut off is sent again; an SQS send whose answer was lost is retried). Per proof, the verdicts
     * beyond the fleet's publishes; each must be a rejection (the verifier's replay guard), so a proof is credited at
     * most once.
     */
    private static long atLeastOnceCopies(Outcome o) {
        Map<String, List<DynamoProofLedger.VerdictRecord>> byProof = new HashMap<>();
        o.verdicts().stream().filter(v -> v.proofId() != null)
                .forEach(v -> byProof.computeIfAbsent(v.proofId(), k -> new ArrayList<>()).add(v));
        long copies = 0;
        for (var e : byProof.entrySet()) {
            List<String> verdicts = e.getValue().stream()
                    .map(v -> v.outcome() + (v.reason() == null ? "" : " " + v.reason()) + " (" + v.deliveryId() + ")").toList();
            long accepted = e.getValue().stream().filter(v -> "accepted".equals(v.outcome())).count();
            assertTrue(accepted <= 1, "proof " + e.getKey() + " credited more than once: " + verdicts);
            int extra = e.getValue().size() - o.published().getOrDefault(e.getKey(), 0);
            if (extra > 0) {
                assertTrue(e.getValue().size() - accepted >= extra, "proof " + e.getKey() + ": " + extra
                        + " verdicts beyond its publishes, not all rejected: " + verdicts);
                System.out.printf("[faults] proof %s delivered %d more time(s) than published: %s%n", e.getKey(), extra, verdicts);
                copies += extra;
            }
        }
        return copies;
    }

    /**
     * Provisions a stack, starts the host (its functions' AWS clients through the scenario's proxy when given), injects
     * the fault once the fleet is publishing, runs the fleet, ends the fault ({@code heal}), waits until the ledger holds
     * a verdict per delivered message, and, for a settling run, until the fleet's epochs are closed and settled; then
     * checks the books and has every owner claim.
     */
    private Outcome run(Scenario scenario) throws Exception {
        DevnetConfig fresh = DevnetFixture.freshStack(scenario.prefix());
        DevnetConfig devnet = scenario.broker() == null ? fresh : new DevnetConfig(fresh.repoRoot(), fresh.stackName(),
                scenario.broker(), fresh.caCert(), fresh.caKey(), fresh.rulesEngineCert(), fresh.rulesEngineKey(),
                fresh.certsDir(), fresh.chainRpc(), fresh.chainId(), fresh.operatorKeyFile(), fresh.ownerKeyFile(), 0);
        long epochSeconds = scenario.settles() ? SETTLE_EPOCH_SECONDS : EPOCH_SECONDS;
        Duration scheduleRate = scenario.settles() ? Duration.ofSeconds(2) : Duration.ofMinutes(10);
        String previousEndpoint = System.getProperty("aws.endpointUrl");
        try (DevnetFixture.Clients aws = DevnetFixture.Clients.open()) {
            Instant genesis = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            EpochClock clock = new EpochClock(genesis, Duration.ofSeconds(epochSeconds));
            var provisioned = new DevnetProvisioner(devnet, aws.dynamo(), aws.sqs(), aws.secrets()).provision(clock);
            if (scenario.settles()) {
                // Contracts were deployed directly; from here on the functions reach the chain through the proxy.
                aws.secrets().putSecretValue(b -> b.secretId(provisioned.rpcSecretId()).secretString(scenario.chainProxy().url()));
            }
            aws.sqs().setQueueAttributes(b -> b.queueUrl(provisioned.queueUrl())
                    .attributes(Map.of(QueueAttributeName.VISIBILITY_TIMEOUT, Integer.toString(VISIBILITY_SECONDS))));
            Path certs = Files.createDirectories(devnet.certsDir().resolve(devnet.stackName()));
            var ca = LocalCertificateAuthority.load(devnet.caCert(), devnet.caKey());
            List<SimulatedDevice> fleet = FleetSimulator.provision(DEVICES, FleetMix.DEMO, ca, certs, new SecureRandom(), OWNERS);
            var registry = new DynamoDeviceRegistry(aws.dynamo(), provisioned.tables().devices());
            for (SimulatedDevice d : fleet) {
                registry.register(new DeviceRecord(d.deviceId(), d.signingKey().scheme(), d.signingKey().publicKey(),
                        d.ownerAddress(), DeviceStatus.ACTIVE, d.h3Cell()), "it", Instant.now());
            }
            int port = HostProperties.freePort();
            Map<String, Object> properties = HostProperties.forStack(devnet, provisioned, genesis, epochSeconds, port);
            var settings = new LocalFunctionHost.Settings(properties, provisioned.queueUrl(), provisioned.ingestErrorQueueUrl(),
                    scheduleRate, scheduleRate, port);
            FaultProxy proxy = scenario.awsProxy();
            if (proxy != null) {
                // The SDK reads it when a client is built: the host's functions talk to moto through the proxy; this
                // test's own clients (built above) do not.
                System.setProperty("aws.endpointUrl", proxy.url());
            }
            // Through the proxy too when there is one: the rule bridge and the event source see the same faults.
            SqsClient hostSqs = proxy == null ? aws.sqs() : SqsClient.builder().httpClient(UrlConnectionHttpClient.create())
                    .endpointOverride(URI.create(proxy.url())).build();
            ConcurrentLinkedQueue<String> log = new ConcurrentLinkedQueue<>();
            try (hostSqs; var host = new LocalFunctionHost(devnet, settings, hostSqs, msg -> {
                log.add(msg);
                System.err.println("[host] " + msg);
            })) {
                host.start();
                if (proxy != null) {
                    restore(previousEndpoint);
                }
                LoadRun.Timeline published = new LoadRun.Timeline();
                AtomicReference<Exception> faultFailed = new AtomicReference<>();
                Thread faultThread = Thread.ofPlatform().start(() -> {
                    // Once the first proofs are in flight.
                    while (published.published.get() < Math.min(10, DEVICES)) {
                        try {
                            Thread.sleep(20);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                    try {
                        scenario.fault().inject(host, published);
                    } catch (Exception e) {
                        faultFailed.set(e);
                    }
                });
                FleetReport report = FleetSimulator.run(fleet, devnet.mqtt(), PROOFS, published,
                        RunOptions.defaults().withReceiptGrace(Duration.ofSeconds(3)).withProofInterval(scenario.proofInterval()));
                faultThread.join(30_000);
                scenario.heal().run();
                if (faultFailed.get() != null) {
                    throw new IllegalStateException("the fault could not be injected", faultFailed.get());
                }
                var proofs = new DynamoProofLedger(aws.dynamo(), provisioned.tables(), clock, Duration.ofDays(1));
                var epochs = new DynamoEpochLedger(aws.dynamo(), provisioned.tables(), proofs);
                Instant deadline = Instant.now().plusSeconds(120);
                while (Instant.now().isBefore(deadline)) {
                    var counts = proofs.countVerdicts();
                    if (counts.accepted() + counts.rejected() >= report.expectedVerdicts()) {
                        break;
                    }
                    Thread.sleep(2000);
                }
                Settlement settlement = null;
                List<Long> closed = List.of();
                if (scenario.settles()) {
                    settlement = settle(devnet, provisioned, clock, epochs, host, aws);
                    closed = settlement.closedEpochs();
                }
                Map<String, Integer> publishedByProof = Map.copyOf(published.publishedByProof);
                Accounting.Report books = Accounting.check(publishedByProof, proofs, epochs, closed);
                return new Outcome(report, books, host, settlement, List.copyOf(log), publishedByProof, proofs.scanVerdicts());
            }
        } finally {
            restore(previousEndpoint);
        }
    }

    /**
     * Waits until the epoch the fleet ended in is closed and settled (the host's closer and settler on their schedule),
     * then reads what the chain holds and has every owner claim (paid by the devnet owner key; tokens go to the owner).
     */
    private static Settlement settle(DevnetConfig devnet, DevnetProvisioner.Provisioned provisioned, EpochClock clock,
                                     DynamoEpochLedger epochs, LocalFunctionHost host, DevnetFixture.Clients aws)
            throws Exception {
        long first = clock.epochOf(clock.genesis());
        long fleetEpoch = clock.epochOf(Instant.now());
        Instant deadline = clock.end(fleetEpoch).plusSeconds(90);
        EpochLedger.Cursor cursor = epochs.cursor(first - 1);
        while (cursor.lastSettled() < fleetEpoch) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("epoch " + fleetEpoch + " not settled by " + deadline + ": closed through "
                        + cursor.lastClosed() + ", settled through " + cursor.lastSettled());
            }
            Thread.sleep(1000);
            cursor = epochs.cursor(first - 1);
        }
        long settled = cursor.lastSettled();
        List<Long> closedEpochs = new ArrayList<>();
        Map<Long, String> rootTxs = new TreeMap<>();
        for (long e = first; e <= cursor.lastClosed(); e++) {
            closedEpochs.add(e);
            long epoch = e;
            epochs.rootTransaction(e).ifPresent(tx -> rootTxs.put(epoch, tx));
        }
        String manifestRoot = hex(epochs.manifest(settled).orElseThrow().rootHex());
        var journal = new DynamoTransactionJournal(aws.dynamo(), provisioned.tables().settlements());
        Map<Long, List<String>> journaled = new TreeMap<>();
        for (long e : closedEpochs) {
            List<String> hashes = new ArrayList<>();
            for (int i = 0; ; i++) {
                var attempt = journal.find(RootPublisher.attemptId(e, i));
                if (attempt.isEmpty()) {
                    break;
                }
                hashes.add(attempt.get().txHash());
            }
            if (!hashes.isEmpty()) {
                journaled.put(e, hashes);
            }
        }

        ChainConfig chain = ChainConfig.of(devnet.chainRpc(), devnet.chainId()).withContracts(provisioned.contracts());
        org.web3j.protocol.Web3j web3j = org.web3j.protocol.Web3j.build(new org.web3j.protocol.http.HttpService(devnet.chainRpc()));
        try {
            var claimer = new RewardsClaimer(web3j, chain);
            Credentials payer = Credentials.create(Files.readString(devnet.ownerKeyFile()).strip());
            List<Claim> claims = new ArrayList<>();
            for (String owner : OWNERS) {
                var balance = epochs.ownerBalance(settled, owner);
                if (balance.isEmpty() || balance.get().cumulative().signum() == 0) {
                    continue;
                }
                JsonNode offer = getJson(host.claimsApiUrl() + "/claims/" + owner);
                BigInteger api = new BigInteger(offer.path("cumulativeAmount").asText());
                List<byte[]> proof = new ArrayList<>();
                offer.path("proof").forEach(p -> proof.add(Encoding.fromHex(p.asText())));
                ClaimResult paid = claimer.claim(payer, owner, api, proof);
                boolean refused;
                try {
                    claimer.claim(payer, owner, api, proof);
                    refused = false;
                } catch (ContractRevertedException nothingLeft) {
                    refused = true;
                }
                claims.add(new Claim(owner, balance.get().cumulative(), api, paid.amountPaid(), claimer.tokenBalance(owner), refused));
            }
            return new Settlement(settled, closedEpochs, manifestRoot, rootTxs.get(settled),
                    rootsOnChain(devnet.chainRpc(), provisioned.contracts().distributorAddress()), journaled, claims, rootTxs);
        } finally {
            web3j.shutdown();
        }
    }

    /** Every {@code RootProposed} the distributor emitted on the canonical chain: epoch -> roots, in order. */
    private static Map<Long, List<String>> rootsOnChain(String chainRpc, String distributor) throws Exception {
        JsonNode logs = rpcCall(chainRpc, "eth_getLogs", Map.of("fromBlock", "0x0", "toBlock", "latest",
                "address", distributor, "topics", List.of(ROOT_PROPOSED)));
        Map<Long, List<String>> roots = new TreeMap<>();
        for (JsonNode log : logs) {
            long epoch = new BigInteger(log.path("topics").path(1).asText().substring(2), 16).longValueExact();
            roots.computeIfAbsent(epoch, e -> new ArrayList<>()).add(hex(log.path("data").asText().substring(2, 66)));
        }
        return roots;
    }

    /** Lower-case hex with 0x, however it came. */
    private static String hex(String value) {
        String v = value.toLowerCase(java.util.Locale.ROOT);
        return v.startsWith("0x") ? v : "0x" + v;
    }

    /** One JSON-RPC call straight to {@code url} (Anvil, not the proxy); its {@code result}. */
    private static JsonNode rpcCall(String url, String method, Object... params) throws Exception {
        String body = JSON.writeValueAsString(Map.of("jsonrpc", "2.0", "id", 1, "method", method, "params", List.of(params)));
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode answer = JSON.readTree(response.body());
        if (answer.has("error")) {
            throw new IllegalStateException(method + " failed: " + answer.get("error"));
        }
        return answer.path("result");
    }

    private static JsonNode getJson(String url) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(url + " answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    private static void restore(String previous) {
        if (previous == null) {
            System.clearProperty("aws.endpointUrl");
        } else {
            System.setProperty("aws.endpointUrl", previous);
        }
    }
}
