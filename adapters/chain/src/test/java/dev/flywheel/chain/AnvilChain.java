package dev.flywheel.chain;

import dev.flywheel.chain.contracts.FlywheelTimelock;
import dev.flywheel.chain.contracts.RewardsDistributor;
import dev.flywheel.core.merkle.CumulativeMerkleTree;
import dev.flywheel.core.merkle.LeafDomain;
import dev.flywheel.core.merkle.RewardLeaf;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.http.HttpService;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.gas.StaticGasProvider;

import java.io.IOException;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The Anvil that scripts/test starts (the stand-in for Polygon), its funded dev accounts, and
 * helpers the chain ITs share: deploy with a plan, build bound trees, call the timelock, raw RPC.
 */
final class AnvilChain {
    // Anvil's default dev accounts (mnemonic "test test ... junk"), funded with 10,000 ETH each.
    static final Credentials DEPLOYER = Credentials.create("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
    static final Credentials PUBLISHER = Credentials.create("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
    static final Credentials RELAYER = Credentials.create("0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a");
    static final Credentials OWNER_A = Credentials.create("0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6");
    static final Credentials OWNER_B = Credentials.create("0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a");
    static final String OWNER_C = "0x9965507d1a55bcc2695c58ba16fb37d819b0a4dc";
    static final Credentials GUARDIAN = Credentials.create("0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba");
    static final Credentials GOVERNOR = Credentials.create("0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e");
    /** A key Anvil does not fund; tests fund it when they need it. */
    static final Credentials OTHER_PUBLISHER = Credentials.create("0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356");
    static final BigInteger FLY = BigInteger.TEN.pow(18);
    /** 1,000 FLY per epoch of one hour, genesis 1,000 epochs back: epochs up to ~998 have ended. */
    static final BigInteger EMISSION = fly(1_000);
    static final Duration EPOCH = Duration.ofHours(1);

    final Web3j web3j;
    final ChainConfig network;
    private final HttpService service;

    AnvilChain() {
        String rpc = System.getenv("FLYWHEEL_CHAIN_RPC");
        String chainId = System.getenv("FLYWHEEL_CHAIN_ID");
        if (rpc == null || rpc.isBlank() || chainId == null || chainId.isBlank()) {
            throw new IllegalStateException("FLYWHEEL_CHAIN_RPC and FLYWHEEL_CHAIN_ID are not set: run the integration tests "
                    + "via scripts/test, which starts Anvil and sets them");
        }
        service = new HttpService(rpc);
        web3j = Web3j.build(service);
        network = ChainConfig.of(rpc, Long.parseLong(chainId));
    }

    void close() {
        web3j.shutdown();
    }

    static Instant genesis() {
        return Instant.ofEpochSecond(Instant.now().getEpochSecond() - 1_000 * EPOCH.toSeconds());
    }

    static DeploymentPlan plan(Duration activationDelay) {
        return new DeploymentPlan(PUBLISHER.getAddress(), GUARDIAN.getAddress(), List.of(GOVERNOR.getAddress()), Duration.ZERO,
                genesis(), EPOCH, EMISSION, activationDelay);
    }

    ChainConfig deploy(DeploymentPlan plan) {
        DeployedContracts contracts = new RewardsContractsDeployer(web3j, network).deploy(new LocalKeyTransactionSigner(DEPLOYER), plan);
        return network.withContracts(contracts).withTimelock(contracts.timelockAddress());
    }

    LeafDomain domain(ChainConfig config) {
        return new LeafDomain(config.chainId(), config.distributorAddress());
    }

    static CumulativeMerkleTree tree(LeafDomain domain, Map<String, BigInteger> cumulative) {
        return CumulativeMerkleTree.of(domain, cumulative.entrySet().stream().map(e -> new RewardLeaf(e.getKey(), e.getValue())).toList());
    }

    RewardsDistributor distributor(ChainConfig config) {
        return RewardsDistributor.load(config.distributorAddress(), web3j,
                new ReadonlyTransactionManager(web3j, DEPLOYER.getAddress()), new StaticGasProvider(BigInteger.ZERO, BigInteger.ZERO));
    }

    FlywheelTimelock timelock(ChainConfig config) {
        return FlywheelTimelock.load(config.timelockAddress(), web3j,
                new ReadonlyTransactionManager(web3j, DEPLOYER.getAddress()), new StaticGasProvider(BigInteger.ZERO, BigInteger.ZERO));
    }

    /** The governor schedules {@code data} on the distributor through the timelock (delay 0) and executes it. */
    void throughTimelock(ChainConfig config, String data) {
        FlywheelTimelock timelock = timelock(config);
        TransactionSender sender = new TransactionSender(web3j, config);
        byte[] zero = new byte[32];
        byte[] salt = org.web3j.crypto.Hash.sha3(data.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        byte[] call = org.web3j.utils.Numeric.hexStringToByteArray(data);
        var signer = new LocalKeyTransactionSigner(GOVERNOR);
        sender.sendAndWait(signer, config.timelockAddress(),
                timelock.schedule(config.distributorAddress(), BigInteger.ZERO, call, zero, salt, BigInteger.ZERO).encodeFunctionCall());
        sender.sendAndWait(signer, config.timelockAddress(),
                timelock.execute(config.distributorAddress(), BigInteger.ZERO, call, zero, salt, BigInteger.ZERO).encodeFunctionCall());
    }

    /** Nonce as of the latest block: counts only transactions that were actually mined. */
    long confirmedNonce(String address) {
        try {
            return web3j.ethGetTransactionCount(address, DefaultBlockParameterName.LATEST).send().getTransactionCount().longValueExact();
        } catch (IOException e) {
            throw new ChainException("eth_getTransactionCount failed", e);
        }
    }

    /** A JSON-RPC call web3j has no method for (anvil_*, evm_*). */
    Object rpc(String method, Object... params) {
        try {
            var response = new Request<>(method, List.of(params), service, RawResponse.class).send();
            if (response.hasError()) {
                throw new ChainException(method + " failed: " + response.getError().getMessage());
            }
            return response.getResult();
        } catch (IOException e) {
            throw new ChainException(method + " failed", e);
        }
    }

    void fund(String address) {
        rpc("anvil_setBalance", address, "0x3635c9adc5dea00000"); // 1,000 ETH
    }

    void mine() {
        rpc("evm_mine");
    }

    static BigInteger fly(long tokens) {
        return BigInteger.valueOf(tokens).multiply(FLY);
    }

    static final class RawResponse extends Response<Object> {
    }
}
