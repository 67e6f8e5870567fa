package dev.flywheel.settler;

import dev.flywheel.chain.ChainConfig;
import dev.flywheel.chain.LocalKeyTransactionSigner;
import dev.flywheel.chain.RootPublisher;
import dev.flywheel.chain.SettlementReceipt;
import dev.flywheel.core.crypto.Encoding;
import dev.flywheel.core.epoch.EpochClock;
import dev.flywheel.core.epoch.EpochSettler;
import dev.flywheel.core.epoch.RootPublication;
import dev.flywheel.dynamodb.DynamoEpochLedger;
import dev.flywheel.dynamodb.DynamoTransactionJournal;
import dev.flywheel.dynamodb.TableNames;
import dev.flywheel.function.SecretValues;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.math.BigInteger;

/**
 * Wires settlement: the operator key and the RPC URL come from Secrets Manager (never plain
 * environment), the journal from DynamoDB, the publisher from the chain adapter.
 */
@Factory
public class SettlerFactory {

    @Singleton
    EpochSettler epochSettler(DynamoEpochLedger ledger, EpochClock clock, DynamoDbClient dynamo, TableNames tables,
                              SecretValues secrets,
                              @Value("${flywheel.signer.secret-id}") String signerSecretId,
                              @Value("${flywheel.chain.rpc-secret-id}") String rpcSecretId,
                              @Value("${flywheel.chain.id}") long chainId,
                              @Value("${flywheel.distributor.address}") String distributor,
                              @Value("${flywheel.min-priority-fee-gwei:25}") long minPriorityFeeGwei) {
        var journal = new DynamoTransactionJournal(dynamo, tables.settlements());
        BigInteger minPriorityFee = BigInteger.valueOf(minPriorityFeeGwei).multiply(BigInteger.TEN.pow(9));
        // Secrets are read when a root is published, not at init: SnapStart would otherwise freeze the
        // operator key into the snapshot, and a rotated key would need a new function version.
        RootPublication chain = (epoch, rootHex, total) -> {
            Web3j web3j = Web3j.build(new HttpService(secrets.get(rpcSecretId)));
            try {
                ChainConfig config = ChainConfig.of("(from secret " + rpcSecretId + ")", chainId)
                        .withContracts(null, distributor)
                        .withMinPriorityFeeWei(minPriorityFee);
                var signer = new LocalKeyTransactionSigner(Credentials.create(secrets.get(signerSecretId)));
                SettlementReceipt receipt = new RootPublisher(web3j, config, journal, signer)
                        .publish(epoch, Encoding.fromHex(rootHex), total);
                if (receipt.outcome() == SettlementReceipt.Outcome.REVERTED) {
                    throw new IllegalStateException("root transaction for epoch " + epoch + " reverted: " + receipt.txHash());
                }
                return receipt.txHash();
            } finally {
                web3j.shutdown();
            }
        };
        return new EpochSettler(ledger, chain, clock);
    }
}
