package dev.flywheel.chain;

import dev.flywheel.chain.contracts.RewardsDistributor;
import dev.flywheel.core.settlement.JournaledTransaction;
import dev.flywheel.core.settlement.TransactionJournal;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.gas.StaticGasProvider;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Publishes an epoch's Merkle root exactly once, however often it is called and wherever it crashed.
 * <ol>
 *   <li>If the journal has a transaction for {@code root-epoch-<n>}, it never signs again: it finds
 *       the receipt, or rebroadcasts the very same signed bytes (same nonce, same hash), then waits.</li>
 *   <li>Otherwise, if the contract already has the epoch, it reports {@link SettlementReceipt.Outcome#ALREADY_PUBLISHED}.</li>
 *   <li>Otherwise it signs at the pending nonce, records the transaction in the journal (a
 *       conditional create: only one racer wins) <em>before</em> broadcasting, broadcasts, waits for
 *       the receipt and for finality, and marks the journal entry confirmed.</li>
 * </ol>
 * The contract refuses an epoch that is not above the last one, a second line of defence.
 * The publisher key must be used by this publisher only (one nonce owner per key).
 */
public final class RootPublisher {
    private static final HexFormat HEX = HexFormat.of();

    private final TransactionSender sender;
    private final TransactionJournal journal;
    private final TransactionSigner signer;
    private final RewardsDistributor distributor;

    public RootPublisher(Web3j web3j, ChainConfig config, TransactionJournal journal, TransactionSigner signer) {
        this.sender = new TransactionSender(web3j, config);
        this.journal = Objects.requireNonNull(journal, "journal");
        this.signer = Objects.requireNonNull(signer, "signer");
        // Only used to encode calls and read state; transactions go through the sender.
        this.distributor = RewardsDistributor.load(config.requireDistributorAddress(), web3j,
                new ReadonlyTransactionManager(web3j, signer.address()), new StaticGasProvider(BigInteger.ZERO, BigInteger.ZERO));
    }

    public static String intentId(long epoch) {
        return "root-epoch-" + epoch;
    }

    /**
     * @param epoch epoch number (0 is the first), above every epoch published before
     * @param root 32-byte Merkle root of the cumulative rewards
     * @param totalCumulative sum of all leaves; the contract refuses more than the emission scheduled through {@code epoch}
     * @param manifestHash 32-byte SHA-256 of the epoch's canonical manifest, published with the root
     * @throws ContractRevertedException if the contract refuses the call before anything is signed
     * @throws ChainException on node errors or timeouts; calling again is safe
     */
    public SettlementReceipt publish(long epoch, byte[] root, BigInteger totalCumulative, byte[] manifestHash) {
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch must not be negative: " + epoch);
        }
        if (root.length != 32 || manifestHash.length != 32) {
            throw new IllegalArgumentException("root and manifestHash must be 32 bytes");
        }
        String intentId = intentId(epoch);
        var journaled = journal.find(intentId);
        if (journaled.isPresent()) {
            return resume(journaled.get());
        }
        DistributorState state = DistributorState.read(distributor);
        if (state.lastEpoch() >= epoch) {
            return alreadyOnChain(intentId, epoch, root, state);
        }

        String data = distributor.publishRoot(BigInteger.valueOf(epoch), root, totalCumulative, manifestHash).encodeFunctionCall();
        SignedTransaction tx = sender.sign(signer, sender.pendingNonce(signer.address()), distributor.getContractAddress(), data);
        JournaledTransaction entry = JournaledTransaction.signed(intentId, tx.from(), tx.nonce(), tx.hash(), tx.raw());
        if (!journal.record(entry)) {
            // A concurrent attempt journaled first: follow its transaction, drop ours unsent.
            return resume(journal.find(intentId).orElseThrow());
        }
        sender.broadcast(tx);
        return confirm(entry, sender.awaitReceipt(tx.hash()));
    }

    /** The contract has this epoch or a later one: nothing to send. Same epoch, other root is a conflict for an operator. */
    private static SettlementReceipt alreadyOnChain(String intentId, long epoch, byte[] root, DistributorState state) {
        byte[] onChain = state.hasPending() && state.pendingEpoch() == epoch ? state.pendingRoot()
                : state.hasActive() && state.activeEpoch() == epoch ? state.activeRoot() : null;
        if (onChain != null && !Arrays.equals(onChain, root)) {
            // Same epoch, other tree: the rewards computation is not deterministic, or the journal was lost.
            throw new IllegalStateException("epoch " + epoch + " is on chain with root 0x" + HEX.formatHex(onChain)
                    + ", not 0x" + HEX.formatHex(root));
        }
        return new SettlementReceipt(intentId, SettlementReceipt.Outcome.ALREADY_PUBLISHED, null, null, null);
    }

    private SettlementReceipt resume(JournaledTransaction entry) {
        TransactionReceipt receipt = sender.findReceipt(entry.txHash()).orElse(null);
        if (receipt == null) {
            if (entry.isFinal()) {
                throw new IllegalStateException("journal says " + entry.txHash() + " is final, but the node has no receipt");
            }
            if (!sender.isKnown(entry.txHash())) {
                // Crashed between journaling and broadcasting, or the node dropped it: same bytes again.
                sender.broadcast(new SignedTransaction(entry.txHash(), entry.signedRawTx(), entry.from(), entry.nonce()));
            }
            receipt = sender.awaitReceipt(entry.txHash());
        }
        return confirm(entry, receipt);
    }

    private SettlementReceipt confirm(JournaledTransaction entry, TransactionReceipt receipt) {
        TransactionReceipt finalReceipt = entry.isFinal() ? receipt : sender.awaitFinality(receipt);
        long block = finalReceipt.getBlockNumber().longValueExact();
        if (!entry.isFinal()) {
            journal.markConfirmed(entry.intentId(), block, finalReceipt.isStatusOK());
        }
        return new SettlementReceipt(entry.intentId(),
                finalReceipt.isStatusOK() ? SettlementReceipt.Outcome.PUBLISHED : SettlementReceipt.Outcome.REVERTED,
                entry.txHash(), block, finalReceipt.getGasUsed());
    }
}
