package dev.flywheel.devnet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flywheel.chain.ChainConfig;
import dev.flywheel.chain.ClaimResult;
import dev.flywheel.chain.RewardsClaimer;
import dev.flywheel.core.crypto.Encoding;
import dev.flywheel.core.epoch.EpochClock;
import dev.flywheel.core.epoch.EpochLedger;
import dev.flywheel.core.reward.DeviceReward;
import dev.flywheel.core.proof.DeviceRecord;
import dev.flywheel.core.proof.DeviceStatus;
import dev.flywheel.device.pki.LocalCertificateAuthority;
import dev.flywheel.device.sim.FleetMix;
import dev.flywheel.device.sim.FleetReport;
import dev.flywheel.device.sim.FleetSimulator;
import dev.flywheel.device.sim.RunOptions;
import dev.flywheel.device.sim.SimulatedDevice;
import dev.flywheel.dynamodb.DynamoDeviceRegistry;
import dev.flywheel.dynamodb.DynamoEpochLedger;
import dev.flywheel.dynamodb.DynamoProofLedger;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.iot.IotClient;
import software.amazon.awssdk.services.iot.model.ResourceAlreadyExistsException;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sqs.SqsClient;

import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;

/**
 * The main job: one run of the whole loop on the local devnet. Provisions what template.yaml would,
 * registers a simulated fleet, lets it publish over MQTT/mTLS, waits until every delivered message
 * has a verdict, lets the scheduled closer and settler finish the epoch on chain, has one owner
 * claim, and ends with one JSON line.
 */
public final class Demo {
    /** Claims tried before the demo gives up: each retry follows a root published while it claimed. */
    private static final int CLAIM_ATTEMPTS = 4;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** 1,000 tokens of 18 decimals per devnet epoch. */
    /** After the last PUBACK, how long the fleet waits for receipts (the verifier answers within a poll or two). */
    private static final Duration RECEIPT_GRACE = Duration.ofSeconds(5);

    public static void main(String[] args) throws Exception {
        Map<String, String> env = System.getenv();
        int devices = Integer.parseInt(env.getOrDefault("FLYWHEEL_DEMO_DEVICES", "36"));
        int proofsPerDevice = Integer.parseInt(env.getOrDefault("FLYWHEEL_DEMO_PROOFS", "5"));
        long epochSeconds = Long.parseLong(env.getOrDefault("FLYWHEEL_DEMO_EPOCH_SECONDS", "20"));
        // A stack of its own per run, so a second run on the same devnet counts only its own messages.
        DevnetConfig devnet = DevnetConfig.fromEnvironment(env);
        if (!env.containsKey("FLYWHEEL_STACK_NAME")) {
            devnet = devnet.withStackName("flywheel-demo-" + Instant.now().getEpochSecond());
        }
        // A port of its own unless FLYWHEEL_DEMO_PORT says otherwise: the maker host (scripts/devnet host) may
        // hold FLYWHEEL_HOST_PORT (8787) on the same devnet.
        int demoPort = Integer.parseInt(env.getOrDefault("FLYWHEEL_DEMO_PORT", "0"));
        devnet = new DevnetConfig(devnet.repoRoot(), devnet.stackName(), devnet.mqtt(), devnet.caCert(), devnet.caKey(),
                devnet.rulesEngineCert(), devnet.rulesEngineKey(), devnet.certsDir(), devnet.chainRpc(), devnet.chainId(),
                devnet.operatorKeyFile(), devnet.ownerKeyFile(), demoPort);
        boolean keep = java.util.Arrays.asList(args).contains("--keep");
        Result result = new Demo().run(devnet, devices, proofsPerDevice, epochSeconds, keep ? Demo::keepRunning : running -> { });
        System.out.println(JSON.writeValueAsString(result));
        System.exit(result.tokenBalance().equals(result.claimedAmount()) && result.accepted() > 0 ? 0 : 1);
    }

    private static void step(String message) {
        System.out.println("[demo] " + message);
    }

    private String lastProgress;

    /** Prints a progress line only when it changed, so waiting does not flood the terminal. */
    private void progress(String line) {
        if (!line.equals(lastProgress)) {
            System.out.println(line);
            lastProgress = line;
        }
    }

    /** The demo's last line, field for field. */
    public record Result(int published, long accepted, Map<String, Long> rejected, long epoch, int rewardedDevices,
                         String rootTx, String claimTx, String claimedAmount, String tokenBalance, Receipts receipts,
                         String distributor) {
    }

    /**
     * The receipts the fleet heard back on its receipts topics (docs/protocol.md section 9).
     *
     * @param missing acknowledged messages that got no receipt within the grace period
     */
    public record Receipts(int accepted, Map<String, Integer> rejected, int missing, int unmatched) {
    }

    /** The run's network while its host is still up: what a look at it (the explorer, a test) needs. */
    public record Running(Result result, String hostUrl, String explorerUrl, DevnetProvisioner.Provisioned provisioned,
                          EpochClock clock, String ownerAddress) {
    }

    /** Called after the run, before its host stops. */
    @FunctionalInterface
    public interface WhileUp {
        void accept(Running running) throws Exception;
    }

    /** {@code --keep}: the summary, the explorer's URL, then the host serves until the process is stopped (Ctrl-C). */
    private static void keepRunning(Running running) throws Exception {
        System.out.println(JSON.writeValueAsString(running.result()));
        step("explorer: " + running.explorerUrl() + "  (claims API and /network/* JSON on " + running.hostUrl() + ")");
        step("--keep: the devnet and this run's host stay up until you press Ctrl-C");
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown));
        stopped.await();
    }

    public Result run(DevnetConfig devnet, int deviceCount, int proofsPerDevice, long epochSeconds) throws Exception {
        return run(devnet, deviceCount, proofsPerDevice, epochSeconds, running -> { });
    }

    public Result run(DevnetConfig devnet, int deviceCount, int proofsPerDevice, long epochSeconds, WhileUp whileUp)
            throws Exception {
        var http = UrlConnectionHttpClient.create();
        try (DynamoDbClient dynamo = DynamoDbClient.builder().httpClient(http).build();
             SqsClient sqs = SqsClient.builder().httpClient(UrlConnectionHttpClient.create()).build();
             SecretsManagerClient secrets = SecretsManagerClient.builder().httpClient(UrlConnectionHttpClient.create()).build();
             IotClient iot = IotClient.builder().httpClient(UrlConnectionHttpClient.create()).build()) {

            // Genesis one epoch back: the run happens in epoch 1. The contracts take the same clock and emission.
            Instant genesis = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(epochSeconds);
            EpochClock clock = new EpochClock(genesis, Duration.ofSeconds(epochSeconds));
            step("provisioning tables (from template.yaml), queues, secrets and contracts");
            var provisioned = new DevnetProvisioner(devnet, dynamo, sqs, secrets).provision(clock);
            step("  token and distributor (one contract) " + provisioned.contracts().distributorAddress() + ", timelock "
                    + provisioned.contracts().timelockAddress());

            Credentials owner = Credentials.create(Files.readString(devnet.ownerKeyFile()).strip());
            String ownerAddress = owner.getAddress().toLowerCase();
            List<String> owners = List.of(ownerAddress, "0x00000000000000000000000000000000000f1ee1", "0x00000000000000000000000000000000000f1ee2");

            step("provisioning " + deviceCount + " devices: certificates from the devnet CA, things, registry entries");
            Path certDir = Files.createDirectories(devnet.certsDir().resolve("fleet"));
            var ca = LocalCertificateAuthority.load(devnet.caCert(), devnet.caKey());
            List<SimulatedDevice> fleet = FleetSimulator.provision(deviceCount, FleetMix.DEMO, ca, certDir, new SecureRandom(), owners);
            var registry = new DynamoDeviceRegistry(dynamo, provisioned.tables().devices());
            for (SimulatedDevice d : fleet) {
                try {
                    iot.createThing(b -> b.thingName(d.deviceId()).attributePayload(a -> a.attributes(Map.of("owner", d.ownerAddress()))));
                } catch (ResourceAlreadyExistsException exists) {
                    // a re-run of the demo on the same devnet
                }
                registry.register(new DeviceRecord(d.deviceId(), d.signingKey().scheme(), d.signingKey().publicKey(),
                        d.ownerAddress(), DeviceStatus.ACTIVE, d.h3Cell()), "flywheel-sim", Instant.now());
            }

            // The host also plays IoT Core's HTTPS data plane for the verifier's receipts, so the verifier
            // needs the host's URL before the host starts: pick its port now when none is configured.
            int hostPort = devnet.hostPort() != 0 ? devnet.hostPort() : HostProperties.freePort();
            Map<String, Object> properties = new java.util.LinkedHashMap<>(HostProperties.forStack(devnet, provisioned, genesis, epochSeconds, hostPort));
            // The explorer's evidence chain reads accepted proofs back from the paper trail.
            properties.putAll(HostProperties.paperTrail(devnet));
            var settings = new LocalFunctionHost.Settings(properties, provisioned.queueUrl(), provisioned.ingestErrorQueueUrl(),
                    Duration.ofSeconds(2),
                    Duration.ofSeconds(2), hostPort);

            try (var host = new LocalFunctionHost(devnet, settings, sqs, msg -> System.err.println("[host] " + msg))) {
                host.start();
                String explorerUrl = ExplorerSite.install(host, devnet);
                step("function host up: IoT rule -> SQS -> verifier, schedules every 2 s, claims API at " + host.claimsApiUrl());

                step("fleet publishing: " + proofsPerDevice + " proofs per device over MQTT/mTLS (QoS 1), mix " + FleetMix.DEMO);
                // Prints the fleet's progress and keeps what it published, for the books at the end.
                LoadRun.Timeline published = new LoadRun.Timeline();
                FleetReport report = FleetSimulator.run(fleet, devnet.mqtt(), proofsPerDevice,
                        published, RunOptions.defaults().withReceiptGrace(RECEIPT_GRACE));
                step("fleet done: " + report.summary());

                var proofs = new DynamoProofLedger(dynamo, provisioned.tables(), clock, Duration.ofDays(1));
                var epochs = new DynamoEpochLedger(dynamo, provisioned.tables(), proofs);
                int delivered = report.pubacks();
                step("waiting for a verdict on each of the " + delivered + " delivered messages");
                // Progress from the host's in-memory count, then one scan to confirm: scanning the ledger every second
                // on moto stalls the verifier's own requests (issue 12). A minute plus 250 ms per message (moto holds 5-20 verdicts/s on a busy 2-core machine).
                await(Duration.ofSeconds(60).plusMillis(250L * delivered), () -> {
                    long handled = host.handledMessages();
                    progress("[demo]   verdicts %d/%d".formatted(Math.min(handled, delivered), delivered));
                    if (handled < delivered) {
                        return false;
                    }
                    DynamoProofLedger.VerdictCounts c = proofs.countVerdicts();
                    return c.accepted() + c.rejected() >= delivered;
                });
                DynamoProofLedger.VerdictCounts counts = proofs.countVerdicts();

                long lastEpoch = clock.epochOf(Instant.now());
                step("waiting for epoch " + lastEpoch + " to end (" + clock.end(lastEpoch) + "), close and settle on chain");
                long initial = clock.epochOf(genesis) - 1;
                await(Duration.ofSeconds(epochSeconds * 2 + 60), () -> {
                    EpochLedger.Cursor c = epochs.cursor(initial);
                    progress("[demo]   closed through %d, settled through %d".formatted(c.lastClosed(), c.lastSettled()));
                    return c.lastSettled() >= lastEpoch;
                });
                long settledEpoch = epochs.cursor(initial).lastSettled();
                // The books (issue 12): every proof found once with a verdict, rewards = accepted units, nobody paid twice.
                List<Long> closedEpochs = new ArrayList<>();
                for (long e = clock.epochOf(genesis); e <= epochs.cursor(initial).lastClosed(); e++) {
                    closedEpochs.add(e);
                }
                Accounting.Report books = Accounting.check(Map.copyOf(published.publishedByProof), proofs, epochs, closedEpochs);
                step(books.summary());
                books.problems().forEach(p -> step("  " + p));
                if (!books.ok()) {
                    throw new IllegalStateException(books.summary());
                }
                String rootTx = epochs.rootTransaction(settledEpoch).orElseThrow();
                TreeSet<String> rewarded = new TreeSet<>();
                for (long e = clock.epochOf(genesis); e <= settledEpoch; e++) {
                    epochs.deviceRewards(e).stream().map(DeviceReward::deviceId).forEach(rewarded::add);
                }

                step("owner " + ownerAddress + " fetches its claim from the claims API and claims on chain");
                JsonNode claim;
                try {
                    claim = fetchClaim(host.claimsApiUrl() + "/claims/" + ownerAddress);
                } catch (IllegalStateException refused) {
                    // Say what the ledger holds per epoch, so a refusal can be told apart from a close that paid nobody.
                    StringBuilder ledger = new StringBuilder();
                    for (long e = clock.epochOf(genesis); e <= settledEpoch; e++) {
                        long epoch = e;
                        ledger.append("\n  epoch ").append(e).append(": rewards ").append(epochs.deviceRewards(e))
                                .append(", owner balance ").append(epochs.ownerBalance(e, ownerAddress)
                                        .map(b -> b.cumulative() + " under " + b.rootHex()).orElse("none"))
                                .append(", root tx ").append(epochs.rootTransaction(epoch).orElse("none"));
                    }
                    throw new IllegalStateException(refused.getMessage() + "; verdicts " + counts + "; ledger:" + ledger, refused);
                }
                BigInteger cumulative = new BigInteger(claim.path("cumulativeAmount").asText());
                List<byte[]> proof = new ArrayList<>();
                claim.path("proof").forEach(p -> proof.add(Encoding.fromHex(p.asText())));
                Web3j web3j = Web3j.build(new HttpService(devnet.chainRpc()));
                try {
                    var claimer = new RewardsClaimer(web3j, ChainConfig.of(devnet.chainRpc(), devnet.chainId())
                            .withContracts(provisioned.contracts()));
                    ClaimResult result = null;
                    for (int attempt = 1; result == null; attempt++) {
                        try {
                            result = claimer.claim(owner, ownerAddress, cumulative, proof);
                        } catch (dev.flywheel.chain.ContractRevertedException rootMoved) {
                            // The settler may publish the next epoch's root between the claims API's answer and the claim
                            // (short devnet epochs on a slow machine): the proof no longer matches. Fetch the claim again
                            // once the API's roots cache has expired; the contract pays cumulative minus claimed, so
                            // nothing can be paid twice.
                            if (attempt == CLAIM_ATTEMPTS) {
                                throw rootMoved;
                            }
                            step("claim reverted (" + rootMoved.getMessage() + "); fetching the claim for the current root again");
                            Thread.sleep(Duration.ofSeconds(HostProperties.CLAIMS_ROOTS_CACHE_SECONDS + 1));
                            JsonNode again = fetchClaim(host.claimsApiUrl() + "/claims/" + ownerAddress);
                            cumulative = new BigInteger(again.path("cumulativeAmount").asText());
                            proof.clear();
                            again.path("proof").forEach(p -> proof.add(Encoding.fromHex(p.asText())));
                        }
                    }
                    BigInteger balance = claimer.tokenBalance(ownerAddress);
                    printSummary(report, counts, settledEpoch, rewarded.size(), rootTx, result, balance);
                    Map<String, BigInteger> split = new java.util.TreeMap<>();
                    epochs.deviceRewards(settledEpoch).forEach(r -> split.put(r.deviceId(), r.amount()));
                    Path chart = DemoChart.write(devnet.repoRoot().resolve("devnet/target/demo-summary.png"),
                            counts.accepted(), counts.rejectedByReason(), split, settledEpoch);
                    step("picture of this run: " + chart);
                    Result run = new Result(report.published(), counts.accepted(), counts.rejectedByReason(), settledEpoch,
                            rewarded.size(), rootTx, result.txHash(), result.amountPaid().toString(), balance.toString(),
                            new Receipts(report.outcomes("accepted"), new java.util.TreeMap<>(report.receiptsByReason()),
                                    report.receiptsMissing(), report.receiptsUnmatched()),
                            provisioned.contracts().distributorAddress());
                    step("explorer: " + explorerUrl);
                    whileUp.accept(new Running(run, host.claimsApiUrl(), explorerUrl, provisioned, clock, ownerAddress));
                    return run;
                } finally {
                    web3j.shutdown();
                }
            }
        }
    }

    private static void printSummary(FleetReport report, DynamoProofLedger.VerdictCounts counts, long epoch,
                                     int rewardedDevices, String rootTx, ClaimResult claim, BigInteger balance) {
        System.out.println();
        System.out.println("  Flywheel devnet run");
        System.out.printf("  %-22s %d devices, %d messages published, %d acknowledged%n", "fleet", report.devices(),
                report.published(), report.pubacks());
        System.out.printf("  %-22s %d%n", "accepted", counts.accepted());
        counts.rejectedByReason().forEach((reason, n) -> System.out.printf("  %-22s %d%n", "rejected " + reason, n));
        System.out.printf("  %-22s %d (%s), %d missing%n", "receipts", report.receiptCount(),
                new java.util.TreeMap<>(report.receiptsByOutcome()), report.receiptsMissing());
        System.out.printf("  %-22s epoch %d, %d devices rewarded, root tx %s%n", "settled", epoch, rewardedDevices, rootTx);
        System.out.printf("  %-22s %s FLY-wei in tx %s (balance %s)%n", "claimed", claim.amountPaid(), claim.txHash(), balance);
        System.out.println();
    }

    private static JsonNode fetchClaim(String url) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("claims API answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    private static void await(Duration timeout, BooleanSupplier done) throws InterruptedException {
        Instant deadline = Clock.systemUTC().instant().plus(timeout);
        while (!done.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("timed out after " + timeout);
            }
            Thread.sleep(1000);
        }
    }
}
