package dev.flywheel.claims;

import dev.flywheel.chain.ChainConfig;
import dev.flywheel.chain.ChainDistributorView;
import dev.flywheel.chain.DistributorState;
import dev.flywheel.chain.RewardsClaimer;
import dev.flywheel.core.claims.DistributorView;
import dev.flywheel.function.SecretValues;
import org.web3j.crypto.Hash;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.protocol.http.HttpService;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.util.Locale;
import java.util.Optional;

/**
 * What the claims API reads from the distributor: the roots and claimed totals (the {@link DistributorView} port of
 * the claims service), token balances, and the root a settlement transaction put on chain (its {@code RootProposed}
 * or {@code RootCorrected} event). Connects on first use, not at init: SnapStart must not freeze the RPC secret into
 * the snapshot.
 */
final class ChainReads implements DistributorView {
    static final String ROOT_PROPOSED = Hash.sha3String("RootProposed(uint64,bytes32,uint256,bytes32,uint256)");
    static final String ROOT_CORRECTED = Hash.sha3String("RootCorrected(uint64,bytes32,uint256,bytes32)");

    private final SecretValues secrets;
    private final String rpcSecretId;
    private final long chainId;
    private final String distributor;
    private volatile Connected connected;

    private record Connected(Web3j web3j, RewardsClaimer claimer, ChainDistributorView view) {
    }

    ChainReads(SecretValues secrets, String rpcSecretId, long chainId, String distributor) {
        this.secrets = secrets;
        this.rpcSecretId = rpcSecretId;
        this.chainId = chainId;
        this.distributor = distributor;
    }

    long chainId() {
        return chainId;
    }

    String distributor() {
        return distributor;
    }

    private Connected chain() {
        Connected c = connected;
        if (c == null) {
            synchronized (this) {
                if (connected == null) {
                    Web3j web3j = Web3j.build(new HttpService(secrets.get(rpcSecretId)));
                    ChainConfig config = ChainConfig.of("(from secret " + rpcSecretId + ")", chainId).withContracts(distributor, distributor);
                    connected = new Connected(web3j, new RewardsClaimer(web3j, config), new ChainDistributorView(web3j, config));
                }
                c = connected;
            }
        }
        return c;
    }

    @Override
    public OnChainRoots roots() {
        return chain().view().roots();
    }

    @Override
    public BigInteger claimed(String account) {
        return chain().view().claimed(account);
    }

    /** The FLY balance of {@code account} (the distributor is the token). */
    BigInteger tokenBalance(String account) {
        return chain().claimer().tokenBalance(account);
    }

    DistributorState state() {
        return chain().claimer().state();
    }

    /** What a settlement transaction put on chain, read from its receipt's events. */
    record PublishedRoot(String txHash, String event, long epoch, String rootHex, String manifestHash, long blockNumber) {
    }

    /** The root {@code txHash} published or corrected for {@code epoch}; empty when not mined or it has no such event. */
    Optional<PublishedRoot> publishedRoot(String txHash, long epoch) {
        TransactionReceipt receipt;
        try {
            receipt = chain().web3j().ethGetTransactionReceipt(txHash).send().getTransactionReceipt().orElse(null);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the receipt of " + txHash, e);
        }
        if (receipt == null) {
            return Optional.empty();
        }
        for (Log log : receipt.getLogs()) {
            if (!log.getAddress().equalsIgnoreCase(distributor) || log.getTopics().size() < 2) {
                continue;
            }
            String topic = log.getTopics().get(0).toLowerCase(Locale.ROOT);
            String name = topic.equals(ROOT_PROPOSED) ? "RootProposed" : topic.equals(ROOT_CORRECTED) ? "RootCorrected" : null;
            if (name == null || new BigInteger(log.getTopics().get(1).substring(2), 16).longValueExact() != epoch) {
                continue;
            }
            String data = log.getData().substring(2);
            // data: root (word 0), totalCumulative (word 1), manifestHash (word 2)[, activatesAt]
            return Optional.of(new PublishedRoot(txHash, name, epoch, "0x" + data.substring(0, 64), "0x" + data.substring(128, 192),
                    receipt.getBlockNumber().longValueExact()));
        }
        return Optional.empty();
    }
}
