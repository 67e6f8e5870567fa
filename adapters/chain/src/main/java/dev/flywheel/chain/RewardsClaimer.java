package dev.flywheel.chain;

import dev.flywheel.chain.contracts.RewardsDistributor;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.gas.StaticGasProvider;

import java.math.BigInteger;
import java.util.List;

/**
 * The owner's side of the distributor: claim with a proof, and read balances, claimed totals and
 * the roots. Anyone may pay for a claim; the tokens always go to {@code account}.
 */
public final class RewardsClaimer {
    /** Reads need no sender; the zero address is as good as any. */
    private static final String READER = "0x0000000000000000000000000000000000000000";

    private final TransactionSender sender;
    private final RewardsDistributor distributor;

    public RewardsClaimer(Web3j web3j, ChainConfig config) {
        this.sender = new TransactionSender(web3j, config);
        this.distributor = RewardsDistributor.load(config.requireDistributorAddress(), web3j,
                new ReadonlyTransactionManager(web3j, READER), new StaticGasProvider(BigInteger.ZERO, BigInteger.ZERO));
    }

    /**
     * Claims {@code cumulativeAmount - claimedAmount(account)} for {@code account}.
     *
     * @throws ContractRevertedException before sending anything if the claim would revert:
     *         {@code InvalidProof} (wrong amount, account or proof, or a root no longer active),
     *         {@code NothingToClaim} (already claimed up to this amount), {@code ClaimsPaused}
     */
    public ClaimResult claim(Credentials payer, String account, BigInteger cumulativeAmount, List<byte[]> proof) {
        return claim(new LocalKeyTransactionSigner(payer), account, cumulativeAmount, proof);
    }

    public ClaimResult claim(TransactionSigner payer, String account, BigInteger cumulativeAmount, List<byte[]> proof) {
        String data = distributor.claim(account, cumulativeAmount, proof).encodeFunctionCall();
        TransactionReceipt receipt = sender.sendAndWait(payer, distributor.getContractAddress(), data);
        BigInteger paid = RewardsDistributor.getClaimedEvents(receipt).stream()
                .map(event -> event.amount)
                .reduce(BigInteger.ZERO, BigInteger::add);
        return new ClaimResult(receipt.getTransactionHash(), paid, receipt);
    }

    public BigInteger tokenBalance(String account) {
        return ContractCalls.read(distributor.balanceOf(account), "balanceOf()");
    }

    public BigInteger claimedAmount(String account) {
        return ContractCalls.read(distributor.claimed(account), "claimed()");
    }

    public DistributorState state() {
        return DistributorState.read(distributor);
    }

    /** The root claims verify against now. */
    public byte[] currentRoot() {
        return state().activeRoot();
    }

    /** The epoch of {@link #currentRoot()}. */
    public long currentEpoch() {
        return state().activeEpoch();
    }
}
