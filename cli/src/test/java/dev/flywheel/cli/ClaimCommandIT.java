package dev.flywheel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.flywheel.chain.ChainConfig;
import dev.flywheel.chain.ChainDistributorView;
import dev.flywheel.chain.DeployedContracts;
import dev.flywheel.chain.DeploymentPlan;
import dev.flywheel.chain.LocalKeyTransactionSigner;
import dev.flywheel.chain.RewardsClaimer;
import dev.flywheel.chain.RewardsContractsDeployer;
import dev.flywheel.chain.TransactionSender;
import dev.flywheel.chain.contracts.RewardsDistributor;
import dev.flywheel.core.claims.ClaimService;
import dev.flywheel.core.claims.OwnerClaims;
import dev.flywheel.core.merkle.CumulativeMerkleTree;
import dev.flywheel.core.merkle.LeafDomain;
import dev.flywheel.core.merkle.RewardLeaf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.gas.StaticGasProvider;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code flywheel claim} against a distributor on Anvil. The claims API is served here by the real
 * ClaimService (roots and claimed totals read from the chain) over a local HTTP server, with the
 * ledger's leaves taken from the tree the test published; the API's DynamoDB side and its handler
 * are covered by ClaimsApiHandlerIT.
 */
class ClaimCommandIT {
    // Anvil dev accounts: deployer/governor/guardian, publisher, and the owner who claims and pays gas.
    private static final Credentials DEPLOYER = Credentials.create("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
    private static final Credentials PUBLISHER = Credentials.create("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
    private static final String OWNER_KEY = "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6";
    private static final BigInteger FLY = BigInteger.TEN.pow(18);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void claimsWhatTheApiServesOnceThenReportsNothingClaimable() throws Exception {
        String rpc = System.getenv("FLYWHEEL_CHAIN_RPC");
        long chainId = Long.parseLong(System.getenv("FLYWHEEL_CHAIN_ID"));
        Web3j web3j = Web3j.build(new HttpService(rpc));
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        try {
            Instant genesis = Instant.ofEpochSecond(Instant.now().getEpochSecond() - 100 * 3600);
            DeployedContracts contracts = new RewardsContractsDeployer(web3j, ChainConfig.of(rpc, chainId)).deploy(
                    new LocalKeyTransactionSigner(DEPLOYER), new DeploymentPlan(PUBLISHER.getAddress(), DEPLOYER.getAddress(),
                            List.of(DEPLOYER.getAddress()), Duration.ZERO, genesis, Duration.ofHours(1), FLY.multiply(BigInteger.TEN), Duration.ZERO));
            ChainConfig chain = ChainConfig.of(rpc, chainId).withContracts(contracts);
            String owner = Credentials.create(OWNER_KEY).getAddress().toLowerCase();
            CumulativeMerkleTree tree = CumulativeMerkleTree.of(new LeafDomain(chainId, contracts.distributorAddress()), List.of(
                    new RewardLeaf(owner, FLY.multiply(BigInteger.valueOf(5))),
                    new RewardLeaf("0x0000000000000000000000000000000000000b0b", FLY)));
            RewardsDistributor distributor = RewardsDistributor.load(contracts.distributorAddress(), web3j,
                    new ReadonlyTransactionManager(web3j, PUBLISHER.getAddress()), new StaticGasProvider(BigInteger.ZERO, BigInteger.ZERO));
            new TransactionSender(web3j, chain).sendAndWait(new LocalKeyTransactionSigner(PUBLISHER), contracts.distributorAddress(),
                    distributor.publishRoot(BigInteger.valueOf(7), tree.root(), tree.totalCumulative(), new byte[32]).encodeFunctionCall());

            OwnerClaims ledger = (epoch, account) -> tree.leaf(account)
                    .map(l -> new OwnerClaims.OwnerLeaf(tree.rootHex(), l.cumulativeAmount(), tree.proofHex(account)));
            ClaimService claims = new ClaimService(ledger, new ChainDistributorView(web3j, chain), Clock.systemUTC(), Duration.ZERO);
            server.createContext("/claims/", exchange -> {
                String account = exchange.getRequestURI().getPath().substring("/claims/".length());
                byte[] body;
                int status;
                if (claims.claimFor(account) instanceof ClaimService.Claim c) {
                    Map<String, Object> json = new LinkedHashMap<>();
                    json.put("account", c.account());
                    json.put("epoch", c.epoch());
                    json.put("root", c.rootHex());
                    json.put("cumulativeAmount", c.earned().toString());
                    json.put("claimed", c.claimed().toString());
                    json.put("claimable", c.claimable().toString());
                    json.put("proof", c.proof());
                    body = JSON.writeValueAsBytes(json);
                    status = 200;
                } else {
                    body = "{\"error\":\"nothing_to_claim\"}".getBytes(StandardCharsets.UTF_8);
                    status = 404;
                }
                exchange.sendResponseHeaders(status, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            server.start();
            String api = "http://127.0.0.1:" + server.getAddress().getPort();
            Path key = Files.writeString(dir.resolve("owner.key"), OWNER_KEY + "\n");
            String[] args = {"claim", "--claims-api", api, "--rpc", rpc, "--chain-id", Long.toString(chainId),
                    "--distributor", contracts.distributorAddress(), "--payer-key", key.toString()};

            JsonNode first = run(0, args);
            assertEquals(FLY.multiply(BigInteger.valueOf(5)).toString(), first.get("claimed").asText());
            RewardsClaimer claimer = new RewardsClaimer(web3j, chain);
            assertEquals(FLY.multiply(BigInteger.valueOf(5)), claimer.tokenBalance(owner));

            JsonNode second = run(0, args);
            assertEquals("0", second.get("claimed").asText(), "claimable = earned - claimed on chain = 0");
            assertEquals(FLY.multiply(BigInteger.valueOf(5)), claimer.tokenBalance(owner));

            String[] stranger = args.clone();
            JsonNode refused = run(FlywheelCli.REFUSED, append(stranger, "--account", "0x000000000000000000000000000000000000dead"));
            assertEquals("nothing_to_claim", refused.get("error").asText());
        } finally {
            server.stop(0);
            web3j.shutdown();
        }
    }

    private static String[] append(String[] args, String... more) {
        String[] all = java.util.Arrays.copyOf(args, args.length + more.length);
        System.arraycopy(more, 0, all, args.length, more.length);
        return all;
    }

    private static JsonNode run(int expectedExit, String... args) throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = FlywheelCli.run(args, new PrintWriter(out), new PrintWriter(err));
        assertEquals(expectedExit, exit, out + " / " + err);
        return JSON.readTree(out.toString().strip());
    }
}
