package dev.flywheel.devnet;

import dev.flywheel.chain.ChainConfig;
import dev.flywheel.chain.DeployedContracts;
import dev.flywheel.chain.DeploymentPlan;
import dev.flywheel.chain.LocalKeyTransactionSigner;
import dev.flywheel.chain.RewardsContractsDeployer;
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
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

import java.io.IOException;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.nio.file.Files;
import java.util.Map;

/**
 * Creates on the local stand-ins what {@code template.yaml} creates on AWS: the tables (read from the
 * template itself), the proof queue with its dead-letter queue, the secrets the settler reads, and
 * the contracts on the local chain.
 */
public final class DevnetProvisioner {

    public record Provisioned(TableNames tables, String queueUrl, String deadLetterQueueUrl,
                              String signerSecretId, String rpcSecretId, DeployedContracts contracts,
                              String operatorAddress) {
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

    /** Contracts scheduled for hourly epochs of 1,000 FLY from the last full hour: for runs that do not settle. */
    public Provisioned provision() throws IOException {
        Instant genesis = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(3600);
        return provision(new EpochClock(genesis, Duration.ofHours(1)), new BigInteger("1000000000000000000000"));
    }

    /**
     * @param clock the network's epoch clock: the distributor refuses roots for epochs that have not ended by it
     * @param emissionPerEpoch the most the distributor releases per epoch (at least the closer's emission)
     */
    public Provisioned provision(EpochClock clock, BigInteger emissionPerEpoch) throws IOException {
        String stack = config.stackName();
        TemplateTables.createAll(dynamo, config.template(), stack);
        TableNames tables = TableNames.forStack(stack);

        String dlqUrl = sqs.createQueue(b -> b.queueName(stack + "-proofs-dlq")).queueUrl();
        String dlqArn = sqs.getQueueAttributes(b -> b.queueUrl(dlqUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
        String queueUrl = sqs.createQueue(b -> b.queueName(stack + "-proofs").attributes(Map.of(
                QueueAttributeName.VISIBILITY_TIMEOUT, "30",
                QueueAttributeName.REDRIVE_POLICY, "{\"deadLetterTargetArn\":\"" + dlqArn + "\",\"maxReceiveCount\":\"5\"}"))).queueUrl();

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
            return new Provisioned(tables, queueUrl, dlqUrl, signerSecretId, rpcSecretId, contracts, operator.getAddress());
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
