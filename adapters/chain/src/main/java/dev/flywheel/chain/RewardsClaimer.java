package dev.flywheel.chain;

import dev.flywheel.chain.contracts.FlywheelToken;
import dev.flywheel.chain.contracts.RewardsDistributor;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.gas.StaticGasProvider;

import java.math.BigInteger;
import java.util.List;

/**
 * The owner's side of the distributor: claim with a proof, and read balances and the current root.
 * Anyone may pay for a claim; the tokens always go to {@code account}.
 */
public final class RewardsClaimer {
    /** Reads need no sender; the zero address is as good as any. */
    private static final String READER = "0x0000000000000000000000000000000000000000";

    private final TransactionSender sender;
    private final RewardsDistributor distributor;
    private final FlywheelToken token;

    public RewardsClaimer(Web3j web3j, ChainConfig config) {
        this.sender = new TransactionSender(web3j, config);
        var readonly = new ReadonlyTransactionManager(web3j, READER);
        var unusedGasProvider = new StaticGasProvider(BigInteger.ZERO, BigInteger.ZERO);
        this.distributor = RewardsDistributor.load(config.requireDistributorAddress(), web3j, readonly, unusedGasProvider);
        this.token = FlywheelToken.load(config.requireTokenAddress(), web3j, readonly, unusedGasProvider);
    }

    /**
     * Claims {@code cumulativeAmount - claimedAmount(account)} for {@code account}.
     *
     * @throws ContractRevertedException before sending anything if the claim would revert:
     *         {@code InvalidProof} (wrong amount, account or proof, or an older root),
     *         {@code NothingToClaim} (already claimed up to this amount)
     */
    public ClaimResult claim(Credentials payer, String account, BigInteger cumulativeAmount, List<byte[]> proof) {
        String data = distributor.claim(account, cumulativeAmount, proof).encodeFunctionCall();
        TransactionReceipt receipt = sender.sendAndWait(new LocalKeyTransactionSigner(payer), distributor.getContractAddress(), data);
        BigInteger paid = RewardsDistributor.getClaimedEvents(receipt).stream()
                .map(event -> event.amount)
                .reduce(BigInteger.ZERO, BigInteger::add);
        return new ClaimResult(receipt.getTransactionHash(), paid, receipt);
    }

    public BigInteger tokenBalance(String account) {
        return ContractCalls.read(token.balanceOf(account), "balanceOf()");
    }

    public BigInteger claimedAmount(String account) {
        return ContractCalls.read(distributor.claimed(account), "claimed()");
    }

    public byte[] currentRoot() {
        return ContractCalls.read(distributor.currentRoot(), "currentRoot()");
    }

    public long currentEpoch() {
        return ContractCalls.read(distributor.currentEpoch(), "currentEpoch()").longValueExact();
    }
}
