package dev.flywheel.devnet;

import dev.flywheel.chain.ChainConfig;
import dev.flywheel.chain.DeployedContracts;
import dev.flywheel.chain.DeploymentPlan;
import dev.flywheel.chain.LocalKeyTransactionSigner;
import dev.flywheel.chain.RewardsContractsDeployer;
import dev.flywheel.core.network.NetworkConfig;
import dev.flywheel.core.network.NetworkConfigLoader;
import dev.flywheel.core.epoch.EpochClock;
import dev.flywheel.dynamodb.TableNames;
import dev.flywheel.dynamodb.TemplateTables;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.ResourceExistsException;
import software.amazon.awssdk.services.sqs.SqsClient;

import dev.flywheel.core.network.NetworkConfig;
import dev.flywheel.core.network.NetworkConfigLoader;
import java.io.IOException;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.nio.file.Files;
import java.util.Map;

/**
 * Creates on the local stand-ins what {@code template.yaml} creates on AWS: the tables (read from the
 * template itself), the queues (also read from the template: {@link TemplateQueues}), the secrets the settler reads, and
 * the contracts on the local chain; the proof rule's error queue is the template's {@code IngestErrorQueue}.
 */
public final class DevnetProvisioner {

    /**
     * @param ingestErrorQueueUrl the proof rule's error action target (template: {@code IngestErrorQueue})
     */
    public record Provisioned(TableNames tables, String queueUrl, String deadLetterQueueUrl,
                              String signerSecretId, String rpcSecretId, DeployedContracts contracts,
                              String operatorAddress, String ingestErrorQueueUrl) {
    }

    private final DevnetConfig config;
    private final DynamoDbClient dynamo;
    private final SqsClient sqs;
    private final SecretsManagerClient secrets;

    public DevnetProvisioner(DevnetConfig config, DynamoDbClient dynamo, SqsClient sqs, SecretsManagerClient secrets) {
        this.config = config;
        this.dynamo = dynamo;
        this.sqs = sqs;
        this.secrets = secrets;
    }

    /** Contracts scheduled for hourly epochs from the last full hour: for runs that do not settle. */
    public Provisioned provision() throws IOException {
        Instant genesis = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(3600);
        return provision(new EpochClock(genesis, Duration.ofHours(1)));
    }

    /** Contracts on {@code clock}, releasing per epoch what config/network.json schedules for its first epoch. */
    public Provisioned provision(EpochClock clock) throws IOException {
        return provision(clock, networkEmission(config, clock));
    }

    /**
     * The most the network's file schedules for one epoch (the first epoch's emission: steps only decay), so
     * the distributor's on-chain cap never falls below what the closer allocates.
     */
    public static BigInteger networkEmission(DevnetConfig devnet, EpochClock clock) {
        NetworkConfig network = NetworkConfigLoader.load(devnet.repoRoot().resolve("config/network.json"))
                .withEpochs(clock.genesis(), clock.length());
        long first = clock.epochOf(clock.genesis());
        return network.rulesFor(first).emissionFor(first);
    }

    /**
     * @param clock the network's epoch clock: the distributor refuses roots for epochs that have not ended by it
     * @param emissionPerEpoch the most the distributor releases per epoch (at least the closer's emission)
     */
    public Provisioned provision(EpochClock clock, BigInteger emissionPerEpoch) throws IOException {
        String stack = config.stackName();
        TemplateTables.createAll(dynamo, config.template(), stack);
        TableNames tables = TableNames.forStack(stack);

        // The queues as the template declares them (timeouts, retention, redrive), and the rule's target queue.
        Map<String, String> queues = TemplateQueues.createAll(sqs, config.template(), stack);
        TemplateQueues.IngestRule rule = TemplateQueues.ingestRule(config.template());
        String queueUrl = queues.get(rule.queueLogicalId());
        String dlqUrl = queues.get("ProofDeadLetterQueue");
        if (queueUrl == null || dlqUrl == null || !queues.containsKey("IngestErrorQueue")) {
            throw new IllegalStateException("template.yaml lacks the rule's queue, ProofDeadLetterQueue or IngestErrorQueue: "
                    + queues.keySet());
        }

        String ingestErrorQueueUrl = queues.get("IngestErrorQueue");

        String operatorKey = Files.readString(config.operatorKeyFile()).strip();
        String signerSecretId = putSecret(stack + "/operator-signing-key", operatorKey);
        String rpcSecretId = putSecret(stack + "/chain-rpc-url", config.chainRpc());

        Credentials operator = Credentials.create(operatorKey);
        Web3j web3j = Web3j.build(new HttpService(config.chainRpc()));
        try {
            ChainConfig chain = ChainConfig.of(config.chainRpc(), config.chainId());
            DeployedContracts contracts = new RewardsContractsDeployer(web3j, chain)
                    .deploy(new LocalKeyTransactionSigner(operator), DeploymentPlan.devnet(operator.getAddress(),
                            clock.genesis().truncatedTo(ChronoUnit.SECONDS), clock.length(), emissionPerEpoch));
            return new Provisioned(tables, queueUrl, dlqUrl, signerSecretId, rpcSecretId, contracts, operator.getAddress(),
                    ingestErrorQueueUrl);
        } finally {
            web3j.shutdown();
        }
    }

    private String putSecret(String name, String value) {
        try {
            secrets.createSecret(b -> b.name(name).secretString(value));
        } catch (ResourceExistsException exists) {
            secrets.putSecretValue(b -> b.secretId(name).secretString(value));
        }
        return name;
    }
}
