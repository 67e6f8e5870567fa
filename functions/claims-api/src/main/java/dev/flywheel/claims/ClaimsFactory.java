package dev.flywheel.claims;

import dev.flywheel.chain.ChainConfig;
import dev.flywheel.chain.ChainDistributorView;
import dev.flywheel.core.claims.ClaimService;
import dev.flywheel.core.claims.DistributorView;
import dev.flywheel.dynamodb.DynamoEpochLedger;
import dev.flywheel.dynamodb.DynamoOwnerClaims;
import dev.flywheel.function.SecretValues;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;

import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;

/** Wires the claims API: the ledger by owner (DynamoDB) and the distributor's state (the chain, RPC URL from Secrets Manager). */
@Factory
public class ClaimsFactory {

    @Singleton
    ClaimService claimService(DynamoEpochLedger ledger, SecretValues secrets,
                              @Value("${flywheel.chain.rpc-secret-id}") String rpcSecretId,
                              @Value("${flywheel.chain.id}") long chainId,
                              @Value("${flywheel.distributor.address}") String distributor,
                              @Value("${flywheel.claims.roots-cache-seconds:5}") long cacheSeconds) {
        DistributorView chain = new LazyChain(secrets, rpcSecretId, chainId, distributor);
        return new ClaimService(new DynamoOwnerClaims(ledger), chain, Clock.systemUTC(), Duration.ofSeconds(cacheSeconds));
    }

    /** Connects on first use, not at init: SnapStart must not freeze the RPC secret into the snapshot. */
    private static final class LazyChain implements DistributorView {
        private final SecretValues secrets;
        private final String rpcSecretId;
        private final long chainId;
        private final String distributor;
        private volatile ChainDistributorView view;

        LazyChain(SecretValues secrets, String rpcSecretId, long chainId, String distributor) {
            this.secrets = secrets;
            this.rpcSecretId = rpcSecretId;
            this.chainId = chainId;
            this.distributor = distributor;
        }

        private ChainDistributorView view() {
            ChainDistributorView v = view;
            if (v == null) {
                synchronized (this) {
                    if (view == null) {
                        Web3j web3j = Web3j.build(new HttpService(secrets.get(rpcSecretId)));
                        view = new ChainDistributorView(web3j, ChainConfig.of("(from secret " + rpcSecretId + ")", chainId)
                                .withContracts(distributor, distributor));
                    }
                    v = view;
                }
            }
            return v;
        }

        @Override
        public OnChainRoots roots() {
            return view().roots();
        }

        @Override
        public BigInteger claimed(String account) {
            return view().claimed(account);
        }
    }
}
