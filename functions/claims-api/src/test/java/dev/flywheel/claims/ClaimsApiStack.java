package dev.flywheel.claims;

import dev.flywheel.chain.ChainConfig;
import dev.flywheel.chain.DeployedContracts;
import dev.flywheel.chain.DeploymentPlan;
import dev.flywheel.chain.LocalKeyTransactionSigner;
import dev.flywheel.chain.RewardsContractsDeployer;
import dev.flywheel.core.epoch.EpochClock;
import dev.flywheel.core.merkle.LeafDomain;
import dev.flywheel.dynamodb.DynamoEpochLedger;
import dev.flywheel.dynamodb.DynamoProofLedger;
import dev.flywheel.dynamodb.TableNames;
import dev.flywheel.testing.MotoDynamo;
import io.micronaut.context.ApplicationContext;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the claims API's ITs stand up on the test devnet: a fresh distributor on Anvil (the deployer also the guardian,
 * {@code publisher} the root publisher), the RPC URL as a Secrets Manager secret and the template's tables on moto, and
 * the handler wired to them with no roots cache, so each request sees the chain as it is at that moment. The paper trail
 * is a bucket on moto read by the S3 reader ({@code flywheel.explorer.paper-trail=s3}, as on the devnet); a test writes
 * into it what the verifier would ({@link #trail}).
 */
final class ClaimsApiStack implements AutoCloseable {
    // Anvil's default dev accounts (mnemonic "test test ... junk"): one deploys and governs, one publishes roots,
    // one relays claims.
    static final Credentials DEPLOYER = Credentials.create("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
    static final Credentials PUBLISHER = Credentials.create("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
    static final Credentials RELAYER = Credentials.create("0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a");
    /** One-minute epochs from 2026-01-01: every epoch the ITs close ended long ago. */
    static final EpochClock CLOCK = new EpochClock(Instant.parse("2026-01-01T00:00:00Z"), Duration.ofSeconds(60));
    // Owners (plain addresses: the relayer sends their claims) and an address that owns nothing.
    static final String ALICE = "0x00000000000000000000000000000000000a11ce";
    static final String BOB = "0x0000000000000000000000000000000000000b0b";
    static final String NOBODY = "0x000000000000000000000000000000000000dead";

    final Web3j web3j;
    final ChainConfig chain;
    final LeafDomain domain;
    final DynamoDbClient dynamo;
    final TableNames tables;
    final ClaimsApiHandler handler;
    final DynamoProofLedger proofs;
    final DynamoEpochLedger epochs;
    final S3Client s3;
    final String trail;
    private final Map<String, Object> properties;

    /** On {@link #CLOCK}, deployed by {@link #DEPLOYER} with {@link #PUBLISHER} as the root publisher. */
    ClaimsApiStack(String name, BigInteger emission, Duration activationDelay) {
        this(name, CLOCK, emission, activationDelay, DEPLOYER, PUBLISHER);
    }

    private ClaimsApiStack(String name, EpochClock clock, BigInteger emission, Duration activationDelay, Credentials deployer,
                           Credentials publisher) {
        String rpc = System.getenv("FLYWHEEL_CHAIN_RPC");
        long chainId = Long.parseLong(System.getenv("FLYWHEEL_CHAIN_ID"));
        web3j = Web3j.build(new HttpService(rpc));
        DeployedContracts contracts = new RewardsContractsDeployer(web3j, ChainConfig.of(rpc, chainId)).deploy(
                new LocalKeyTransactionSigner(deployer), new DeploymentPlan(publisher.getAddress(), deployer.getAddress(),
                        List.of(deployer.getAddress()), Duration.ZERO, clock.genesis(), clock.length(), emission, activationDelay));
        chain = ChainConfig.of(rpc, chainId).withContracts(contracts);
        domain = new LeafDomain(chainId, contracts.distributorAddress());
        String rpcSecret = name + "-rpc-" + System.nanoTime();
        try (var secrets = SecretsManagerClient.builder().httpClient(UrlConnectionHttpClient.create()).build()) {
            secrets.createSecret(b -> b.name(rpcSecret).secretString(rpc));
        }
        dynamo = MotoDynamo.client();
        tables = MotoDynamo.createTables(dynamo);
        properties = new HashMap<>(Map.of(
                "flywheel.devices.table", tables.devices(),
                "flywheel.ledger.table", tables.ledger(),
                "flywheel.epochs.table", tables.epochs(),
                "flywheel.rewards.table", tables.rewards(),
                "flywheel.settlements.table", tables.settlements(),
                "flywheel.epoch.genesis", clock.genesis().toString(),
                "flywheel.epoch.seconds", Long.toString(clock.length().toSeconds()),
                "flywheel.chain.rpc-secret-id", rpcSecret,
                "flywheel.chain.id", Long.toString(chainId),
                "flywheel.distributor.address", contracts.distributorAddress()));
        properties.put("flywheel.claims.roots-cache-seconds", "0");
        s3 = S3Client.builder().httpClient(UrlConnectionHttpClient.create()).forcePathStyle(true).build();
        trail = name + "-trail-" + System.nanoTime();
        s3.createBucket(b -> b.bucket(trail));
        properties.put("flywheel.explorer.paper-trail", "s3");
        properties.put("flywheel.paper-trail.bucket", trail);
        handler = new ClaimsApiHandler(ApplicationContext.builder().properties(properties));
        proofs = new DynamoProofLedger(dynamo, tables, clock, Duration.ofDays(1));
        epochs = new DynamoEpochLedger(dynamo, tables, proofs);
    }

    /** Another handler on the same stack with some properties changed (the caller closes it). */
    ClaimsApiHandler handlerWith(Map<String, Object> overrides) {
        Map<String, Object> changed = new HashMap<>(properties);
        changed.putAll(overrides);
        return new ClaimsApiHandler(ApplicationContext.builder().properties(changed));
    }

    @Override
    public void close() {
        handler.close();
        MotoDynamo.deleteTables(dynamo, tables);
        dynamo.close();
        s3.close();
        web3j.shutdown();
    }
}
