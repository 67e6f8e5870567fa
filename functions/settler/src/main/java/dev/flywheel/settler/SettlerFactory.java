package dev.flywheel.settler;

import dev.flywheel.chain.AwsKmsKey;
import dev.flywheel.chain.ChainConfig;
import dev.flywheel.chain.ContractRevertedException;
import dev.flywheel.chain.KmsTransactionSigner;
import dev.flywheel.chain.LocalKeyTransactionSigner;
import dev.flywheel.chain.RootPublisher;
import dev.flywheel.chain.SettlementReceipt;
import dev.flywheel.chain.TransactionSigner;
import dev.flywheel.core.crypto.Encoding;
import dev.flywheel.core.epoch.EpochClock;
import dev.flywheel.core.epoch.EpochSettler;
import dev.flywheel.core.epoch.RootPublication;
import dev.flywheel.dynamodb.DynamoEpochLedger;
import dev.flywheel.dynamodb.DynamoSettlementAlarms;
import dev.flywheel.dynamodb.DynamoTransactionJournal;
import dev.flywheel.dynamodb.TableNames;
import dev.flywheel.function.SecretValues;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.kms.KmsClient;

import java.math.BigInteger;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Wires settlement. The publisher key: a KMS key ({@code flywheel.signer.kms-key-id}, from
 * FLYWHEEL_SIGNER_KMS_KEY_ID; the only choice the production template allows), else a raw key read
 * from Secrets Manager (devnet only). The RPC URL comes from Secrets Manager, the journal from DynamoDB.
 */
@Factory
public class SettlerFactory {

    @Singleton
    EpochSettler epochSettler(DynamoEpochLedger ledger, EpochClock clock, DynamoDbClient dynamo, TableNames tables,
                              SecretValues secrets,
                              @Value("${flywheel.signer.kms-key-id:}") String kmsKeyId,
                              @Value("${flywheel.signer.secret-id:}") String signerSecretId,
                              @Value("${flywheel.chain.rpc-secret-id}") String rpcSecretId,
                              @Value("${flywheel.chain.id}") long chainId,
                              @Value("${flywheel.distributor.address}") String distributor,
                              @Value("${flywheel.min-priority-fee-gwei:25}") long minPriorityFeeGwei,
                              @Value("${flywheel.max-fee-gwei:3000}") long maxFeeGwei,
                              @Value("${flywheel.replace-after-seconds:30}") long replaceAfterSeconds) {
        var journal = new DynamoTransactionJournal(dynamo, tables.settlements());
        BigInteger minPriorityFee = BigInteger.valueOf(minPriorityFeeGwei).multiply(BigInteger.TEN.pow(9));
        BigInteger maxFeeCeiling = BigInteger.valueOf(maxFeeGwei).multiply(BigInteger.TEN.pow(9));
        var alarms = new DynamoSettlementAlarms(dynamo, tables.settlements());
        Supplier<TransactionSigner> signer = signer(kmsKeyId, signerSecretId, secrets);
        // Secrets are read when a root is published, not at init: SnapStart would otherwise freeze the
        // RPC URL (or a devnet key) into the snapshot, and a rotated one would need a new function version.
        RootPublication chain = (epoch, rootHex, total, manifestHash) -> {
            Web3j web3j = Web3j.build(new HttpService(secrets.get(rpcSecretId)));
            try {
                ChainConfig config = ChainConfig.of("(from secret " + rpcSecretId + ")", chainId)
                        .withContracts(distributor, distributor)
                        .withMinPriorityFeeWei(minPriorityFee)
                        .withReplacement(Duration.ofSeconds(replaceAfterSeconds), maxFeeCeiling);
                SettlementReceipt receipt;
                try {
                    receipt = new RootPublisher(web3j, config, journal, signer.get())
                            .publish(epoch, Encoding.fromHex(rootHex), total, Encoding.fromHex(manifestHash));
                } catch (ContractRevertedException refused) {
                    // The contract refuses the root before anything is signed (e.g. TotalAboveSchedule: the
                    // closer's emission exceeds the deployed schedule): configuration, not a transient failure.
                    return new RootPublication.Blocked("REFUSED_BY_CONTRACT",
                            (refused.errorName() == null ? "" : refused.errorName() + ": ") + refused.getMessage());
                }
                if (receipt.settled()) {
                    return new RootPublication.Published(receipt.txHash());
                }
                return new RootPublication.Blocked(receipt.outcome().name(),
                        receipt.detail() + (receipt.txHash() == null ? "" : " (tx " + receipt.txHash() + ")"));
            } finally {
                web3j.shutdown();
            }
        };
        return new EpochSettler(ledger, chain, clock, alarms);
    }

    private static Supplier<TransactionSigner> signer(String kmsKeyId, String signerSecretId, SecretValues secrets) {
        if (kmsKeyId != null && !kmsKeyId.isBlank()) {
            // The KMS client and the key's public key are cheap to keep; the private key never leaves KMS.
            var kms = new AwsKmsKey(KmsClient.builder().httpClient(UrlConnectionHttpClient.create()).build(), kmsKeyId.strip());
            return () -> new KmsTransactionSigner(kms);
        }
        if (signerSecretId == null || signerSecretId.isBlank()) {
            throw new IllegalStateException("no publisher key: set FLYWHEEL_SIGNER_KMS_KEY_ID (production) or flywheel.signer.secret-id (devnet)");
        }
        return () -> new LocalKeyTransactionSigner(Credentials.create(secrets.get(signerSecretId)));
    }
}
