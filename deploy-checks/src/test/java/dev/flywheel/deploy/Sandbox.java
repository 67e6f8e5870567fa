package dev.flywheel.deploy;

import dev.flywheel.chain.ChainConfig;
import dev.flywheel.chain.DeployedContracts;
import dev.flywheel.chain.DeploymentPlan;
import dev.flywheel.chain.LocalKeyTransactionSigner;
import dev.flywheel.chain.RewardsContractsDeployer;
import dev.flywheel.dynamodb.TableNames;
import dev.flywheel.testing.MotoDynamo;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A place to run the built functions locally: the template's tables under a fresh stack name on the tests' AWS
 * back end (moto or LocalStack, {@link dev.flywheel.testing.AwsBackend}), the two secrets the settler and the
 * entropy function read (the devnet's Anvil URL, Anvil's first dev key), a RewardsDistributor and its timelock
 * deployed on the devnet's Anvil with the sandbox's epoch clock (as DevnetProvisioner deploys them), and each
 * function's configuration as the properties Micronaut reads (the template sets the same ones as environment
 * variables), the distributor's address included.
 */
final class Sandbox implements AutoCloseable {
    final DynamoDbClient dynamo;
    final TableNames tables;
    private final SecretsManagerClient secrets;
    private final String rpcSecret;
    private final String signerSecret;
    /** Anvil's well-known first dev key: it deploys the contracts and holds every role, as on a devnet. */
    private static final String OPERATOR_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
    private static final Duration EPOCH = Duration.ofHours(1);
    private static final BigInteger EMISSION = new BigInteger("1000000000000000000000000");
    private final Instant genesis = Instant.now().minus(2, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
    private final long chainId = Long.parseLong(require("FLYWHEEL_CHAIN_ID"));
    /** The distributor the settler publishes to and the claims API reads; the closer binds leaves to it. */
    final DeployedContracts contracts;

    Sandbox() {
        this(MotoDynamo.client(), MotoDynamo.endpoint());
    }

    /** On another endpoint (IamActionsIT's private moto_server), with the given admin client. */
    Sandbox(DynamoDbClient admin, java.net.URI endpoint) {
        dynamo = admin;
        tables = MotoDynamo.createTables(dynamo);
        secrets = SecretsManagerClient.builder().endpointOverride(endpoint)
                .region(software.amazon.awssdk.regions.Region.US_EAST_1)
                .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("testing", "testing")))
                .httpClient(UrlConnectionHttpClient.create()).build();
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        rpcSecret = "it/sandbox-rpc-" + suffix;
        signerSecret = "it/sandbox-signer-" + suffix;
        String rpc = require("FLYWHEEL_CHAIN_RPC");
        secrets.createSecret(b -> b.name(rpcSecret).secretString(rpc));
        // The settler reads the key only when a root is due.
        secrets.createSecret(b -> b.name(signerSecret).secretString(OPERATOR_KEY));
        contracts = deploy(rpc);
    }

    /** What the sandbox's distributor holds now, read on chain. */
    dev.flywheel.core.claims.DistributorView.OnChainRoots roots() {
        String rpc = require("FLYWHEEL_CHAIN_RPC");
        Web3j web3j = Web3j.build(new HttpService(rpc));
        try {
            return new dev.flywheel.chain.ChainDistributorView(web3j, ChainConfig.of(rpc, chainId)
                    .withContracts(contracts.distributorAddress(), contracts.distributorAddress())).roots();
        } finally {
            web3j.shutdown();
        }
    }

    /** A fresh distributor per sandbox (the deployer makes a new pair per call), on the sandbox's epoch clock. */
    private DeployedContracts deploy(String rpc) {
        Credentials operator = Credentials.create(OPERATOR_KEY);
        Web3j web3j = Web3j.build(new HttpService(rpc));
        try {
            return new RewardsContractsDeployer(web3j, ChainConfig.of(rpc, chainId)).deploy(new LocalKeyTransactionSigner(operator),
                    DeploymentPlan.devnet(operator.getAddress(), genesis, EPOCH, EMISSION));
        } finally {
            web3j.shutdown();
        }
    }

    /** The function's configuration: the shared tables and epoch settings plus what the function itself needs. */
    Map<String, String> properties(String logicalId) {
        String stackPrefix = tables.devices().replaceFirst("devices$", "");
        Map<String, String> p = new LinkedHashMap<>();
        p.put("flywheel.devices.table", tables.devices());
        p.put("flywheel.ledger.table", tables.ledger());
        p.put("flywheel.epochs.table", tables.epochs());
        p.put("flywheel.rewards.table", tables.rewards());
        p.put("flywheel.settlements.table", tables.settlements());
        // A genesis two hours ago with hour-long epochs: the closer has one finished epoch to close, not hundreds.
        p.put("flywheel.epoch.genesis", genesis.toString());
        p.put("flywheel.epoch.seconds", Long.toString(EPOCH.toSeconds()));
        p.put("flywheel.epoch.emission", EMISSION.toString());
        p.put("flywheel.late-data.seconds", "0");
        p.put("flywheel.entropy.table", stackPrefix + "entropy");
        p.put("flywheel.challenges.table", stackPrefix + "challenges");
        switch (logicalId) {
            case "SettlerFunction" -> {
                p.put("flywheel.chain.id", Long.toString(chainId));
                p.put("flywheel.distributor.address", contracts.distributorAddress());
                p.put("flywheel.signer.secret-id", signerSecret);
                p.put("flywheel.chain.rpc-secret-id", rpcSecret);
            }
            case "ClaimsApiFunction" -> {
                p.put("flywheel.chain.id", Long.toString(chainId));
                p.put("flywheel.distributor.address", contracts.distributorAddress());
                p.put("flywheel.chain.rpc-secret-id", rpcSecret);
            }
            case "EpochCloserFunction" -> {
                // Leaves are bound to the chain and the distributor the settler publishes to.
                p.put("flywheel.chain.id", Long.toString(chainId));
                p.put("flywheel.distributor.address", contracts.distributorAddress());
            }
            case "DeviceRegistryFunction" -> {
                p.put("flywheel.chain.id", Long.toString(chainId));
                p.put("flywheel.iot.device-policy", "sandbox-device");
                // The Lambda jar carries only the production issuer; the devnet CA lives in the devnet module.
                p.put("flywheel.certificates.issuer", "iot-core");
            }
            case "NetworkEntropyFunction" -> {
                p.put("flywheel.entropy.network-id", "sandbox");
                p.put("flywheel.chain.rpc-secret-id", rpcSecret);
            }
            default -> {
            }
        }
        return p;
    }

    static String require(String variable) {
        String value = System.getenv(variable);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException(variable + " is not set: source .devnet/env (or run scripts/test)");
        }
        return value;
    }

    @Override
    public void close() {
        for (String id : List.of(rpcSecret, signerSecret)) {
            try {
                secrets.deleteSecret(b -> b.secretId(id).forceDeleteWithoutRecovery(true));
            } catch (RuntimeException ignored) {
                // best effort
            }
        }
        secrets.close();
        MotoDynamo.deleteTables(dynamo, tables);
        dynamo.close();
    }
}
