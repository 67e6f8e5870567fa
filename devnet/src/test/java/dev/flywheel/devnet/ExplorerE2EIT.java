package dev.flywheel.devnet;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flywheel.chain.ChainConfig;
import dev.flywheel.chain.RewardsClaimer;
import dev.flywheel.core.geo.H3Index;
import dev.flywheel.core.geo.H3Native;
import dev.flywheel.dynamodb.DynamoEpochLedger;
import dev.flywheel.dynamodb.DynamoOnboardingRegistry;
import dev.flywheel.dynamodb.DynamoProofLedger;
import org.junit.jupiter.api.Test;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The explorer end to end in headless Chromium: a small demo run on the real devnet (fleet over MQTT/mTLS, verifier,
 * closer, settler on Anvil), then, while its host still serves the API and the built app, {@code explorer/e2e/explorer-e2e.mjs}
 * (playwright-core driving Debian's {@code chromium}) checks the map's hex count, one device's verdicts and one owner's
 * claimable amount against what the ledger and the chain hold (read here through the adapters, not the API), clicks
 * Claim (the devnet's test wallet signs) and sees the balance change, and on a reward's page clicks "Accepted proofs from
 * the paper trail" and checks the listed proofs against the ledger's (the same deliveries, their units the reward's).
 * Screenshots land in
 * {@code devnet/target/explorer-e2e/}.
 */
class ExplorerE2EIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration BROWSER_LIMIT = Duration.ofSeconds(120);
    /** explorer/src/main.js MAP_RESOLUTION. */
    private static final int MAP_RESOLUTION = 8;

    @Test
    void theExplorerShowsWhatTheLedgerHoldsAndClaimsFromTheBrowser() throws Exception {
        DevnetConfig devnet = DevnetFixture.freshStack("it-explorer-");
        Path repo = devnet.repoRoot();
        Path out = repo.resolve("devnet/target/explorer-e2e");
        Files.createDirectories(out);
        build(repo, out);

        List<String> browserResult = new ArrayList<>();
        new Demo().run(devnet, 10, 2, 10, running -> {
            Map<String, Object> expectations = expectations(devnet, running);
            Path file = out.resolve("expectations.json");
            JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), expectations);
            Process node = new ProcessBuilder("node", "explorer/e2e/explorer-e2e.mjs", file.toString(), out.toString())
                    .directory(repo.toFile()).redirectErrorStream(true).redirectOutput(out.resolve("browser.log").toFile()).start();
            boolean done = node.waitFor(BROWSER_LIMIT.toSeconds(), TimeUnit.SECONDS);
            if (!done) {
                node.destroyForcibly();
            }
            String log = Files.readString(out.resolve("browser.log"));
            System.out.println("[explorer-e2e] " + log.strip());
            assertTrue(done, "the browser test did not finish within " + BROWSER_LIMIT + ": " + log);
            assertEquals(0, node.exitValue(), "the browser test failed: " + log);
            browserResult.add(log);
        });
        assertEquals(1, browserResult.size());
        for (String page : List.of("map.png", "device.png", "owner.png", "owner-claimed.png", "epoch.png", "evidence.png", "paper-trail.png", "error.png")) {
            assertTrue(Files.size(out.resolve(page)) > 10_000, page + " is a real screenshot");
        }
    }

    /** {@code npm run build} in explorer/ (its node_modules come from scripts/setup). */
    private static void build(Path repo, Path out) throws Exception {
        assertTrue(Files.isDirectory(repo.resolve("explorer/node_modules/vite")),
                "explorer/node_modules is missing: scripts/setup installs it (npm --prefix explorer ci)");
        Process npm = new ProcessBuilder("npm", "--prefix", "explorer", "run", "build").directory(repo.toFile())
                .redirectErrorStream(true).redirectOutput(out.resolve("build.log").toFile()).start();
        assertTrue(npm.waitFor(120, TimeUnit.SECONDS), "vite build did not finish in 120 s");
        assertEquals(0, npm.exitValue(), "vite build failed: " + Files.readString(out.resolve("build.log")));
    }

    /**
     * Waits (up to a minute) until the distributor can pay the owner's claim: on the devnet it releases tokens on its
     * emission schedule by the block's clock, and right after a fast run a leaf can be ahead of what is released yet
     * (the claim then reverts with ERC20InsufficientBalance). Simulated with eth_call from the page's test wallet.
     */
    private static void awaitPayable(Web3j web3j, Demo.Running running, String owner,
                                     dev.flywheel.dynamodb.DynamoEpochLedger.OwnerBalance leaf) throws Exception {
        String distributor = running.provisioned().contracts().distributorAddress();
        String wallet = org.web3j.crypto.Credentials.create(ExplorerSite.TEST_WALLET_KEY).getAddress();
        var contract = dev.flywheel.chain.contracts.RewardsDistributor.load(distributor, web3j,
                new org.web3j.tx.ReadonlyTransactionManager(web3j, wallet), new org.web3j.tx.gas.StaticGasProvider(BigInteger.ZERO, BigInteger.ZERO));
        String data = contract.claim(owner, leaf.cumulative(), leaf.proof().stream()
                .map(dev.flywheel.core.crypto.Encoding::fromHex).toList()).encodeFunctionCall();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        String revert = null;
        while (System.nanoTime() < deadline) {
            var call = web3j.ethCall(org.web3j.protocol.core.methods.request.Transaction.createEthCallTransaction(wallet, distributor, data),
                    org.web3j.protocol.core.DefaultBlockParameterName.PENDING).send();
            if (!call.hasError() && !call.isReverted()) {
                return;
            }
            revert = call.hasError() ? call.getError().getMessage() + " " + call.getError().getData() : call.getRevertReason();
            Thread.sleep(1000);
        }
        throw new AssertionError("the distributor cannot pay " + owner + "'s claim within 60 s: " + revert);
    }

    private record Listed(String deviceId, String owner) {
    }

    /** Every registered device: a scan of the devices table, here in the test only (the explorer reads by key). */
    private static List<Listed> registeredDevices(DynamoDbClient dynamo, String table) {
        List<Listed> out = new ArrayList<>();
        dynamo.scanPaginator(b -> b.tableName(table).filterExpression("attribute_not_exists(kind)")).items()
                .forEach(item -> out.add(new Listed(item.get("deviceId").s(), item.get("owner").s())));
        out.sort(java.util.Comparator.comparing(Listed::deviceId));
        return out;
    }

    /** What the pages must show, from the stored records: the devices table, the proof ledger, the rewards and the chain. */
    private static Map<String, Object> expectations(DevnetConfig devnet, Demo.Running running) throws Exception {
        var tables = running.provisioned().tables();
        try (DynamoDbClient dynamo = DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create()).build()) {
            Web3j web3j = Web3j.build(new HttpService(devnet.chainRpc()));
            try {
                var proofs = new DynamoProofLedger(dynamo, tables, running.clock(), Duration.ofDays(1));
                var epochs = new DynamoEpochLedger(dynamo, tables);
                var claimer = new RewardsClaimer(web3j, ChainConfig.of(devnet.chainRpc(), devnet.chainId())
                        .withContracts(running.provisioned().contracts()));
                // The newest settled epoch that rewarded someone (the run's last epochs may be empty).
                long epoch = running.result().epoch();
                while (epoch > 0 && epochs.deviceRewards(epoch).isEmpty()) {
                    epoch--;
                }

                var registry = new DynamoOnboardingRegistry(dynamo, tables.devices());
                var devices = registeredDevices(dynamo, tables.devices());
                // The map draws the epoch's resolution-8 hexes by default: the cells (or their parents) of the devices
                // credited in the epoch, as the registry holds them (the demo's devices do not move).
                long hexes = epochs.deviceRewards(epoch).stream()
                        .map(r -> registry.find(r.deviceId()).orElseThrow().device().h3Cell())
                        .filter(c -> c != null && H3Index.isValidCell(c))
                        .map(c -> H3Index.resolution(c) <= MAP_RESOLUTION ? c : H3Native.get().cellToParentAddress(c, MAP_RESOLUTION))
                        .distinct().count();
                // The device with the most verdicts of both kinds (a replayer or forger has a rejection beside accepted ones).
                String deviceId = null;
                List<Map<String, String>> verdicts = List.of();
                int best = -1;
                for (var d : devices) {
                    var stored = proofs.verdictsForDevice(d.deviceId(), 50);
                    int score = (int) stored.stream().map(DynamoProofLedger.VerdictRecord::outcome).distinct().count() * 100 + stored.size();
                    if (score > best) {
                        best = score;
                        deviceId = d.deviceId();
                        verdicts = stored.stream().map(v -> Map.of("deliveryId", v.deliveryId(), "outcome", v.outcome())).toList();
                    }
                }
                // An owner the demo did not claim for, with a leaf under the active root.
                long active = claimer.state().activeEpoch();
                String owner = null;
                BigInteger claimable = BigInteger.ZERO;
                for (String candidate : devices.stream().map(Listed::owner).distinct().sorted().toList()) {
                    if (candidate.equals(running.ownerAddress())) {
                        continue;
                    }
                    var leaf = epochs.ownerBalance(active, candidate);
                    if (leaf.isPresent()) {
                        BigInteger c = leaf.get().cumulative().subtract(claimer.claimedAmount(candidate));
                        if (c.signum() > 0) {
                            owner = candidate;
                            claimable = c;
                            break;
                        }
                    }
                }
                Objects.requireNonNull(owner, "no owner with something to claim under the active root of epoch " + active);
                awaitPayable(web3j, running, owner, epochs.ownerBalance(active, owner).orElseThrow());
                var reward = epochs.deviceRewards(epoch).stream().findFirst().orElseThrow();
                String rewardDevice = reward.deviceId();
                // The accepted proofs behind that reward as the ledger recorded them (the run is younger than the replay
                // guard, so the ledger still lists them): what the paper-trail link must list, adding up to the units.
                long rewardEpoch = epoch;
                List<String> rewardProofs = proofs.verdictsForDevice(rewardDevice, 1000).stream()
                        .filter(v -> "accepted".equals(v.outcome()) && v.epoch() == rewardEpoch)
                        .map(DynamoProofLedger.VerdictRecord::deliveryId).sorted().toList();

                Map<String, Object> e = new LinkedHashMap<>();
                e.put("explorerUrl", running.explorerUrl());
                e.put("hexCount", hexes);
                e.put("device", Map.of("id", deviceId, "verdicts", verdicts));
                e.put("owner", Map.of("address", owner, "claimable", claimable.toString(),
                        "claimed", claimer.claimedAmount(owner).toString(), "balance", claimer.tokenBalance(owner).toString()));
                e.put("epoch", epoch);
                e.put("rewardDevice", rewardDevice);
                e.put("rewardUnits", reward.units());
                e.put("rewardProofs", rewardProofs);
                return e;
            } finally {
                web3j.shutdown();
            }
        }
    }
}
