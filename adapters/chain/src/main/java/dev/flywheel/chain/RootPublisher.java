package dev.flywheel.chain;

import dev.flywheel.chain.contracts.RewardsDistributor;
import dev.flywheel.core.settlement.JournaledTransaction;
import dev.flywheel.core.settlement.TransactionJournal;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionDecoder;
import org.web3j.crypto.transaction.type.Transaction1559;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.gas.StaticGasProvider;

import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Publishes an epoch's Merkle root exactly once, however often it is called and wherever it crashed,
 * and recovers by itself from what a live chain does to a transaction.
 * <ol>
 *   <li>Every signed transaction for the epoch is journaled <em>before</em> it is broadcast, as an
 *       attempt: {@code root-epoch-<n>}, then {@code root-epoch-<n>#1}, {@code #2}, ... for
 *       replacements (conditional creates: only one racer wins each). A retry never signs what the
 *       journal already has; it looks for a receipt of any attempt, or rebroadcasts the newest bytes.</li>
 *   <li>Stuck: an attempt without a receipt after {@link ChainConfig#stuckAfter()} whose fees are
 *       below the market is replaced at the same nonce with tip and max fee at least 10 % higher, up to
 *       {@link ChainConfig#maxFeeCeilingWei()}; at the ceiling the outcome is {@code FEE_CEILING}.
 *       All attempts share one nonce, so at most one is ever mined.</li>
 *   <li>Nonce taken ("nonce too low": another transaction of this key was mined at that nonce): if the
 *       chain has the epoch, reconciled as {@code ALREADY_PUBLISHED}; else a new attempt at a fresh nonce.</li>
 *   <li>Epoch already on chain (another key, or a lost journal): reconciled from the distributor's
 *       state; the same epoch with another root is a {@code CONFLICT}, never an exception.</li>
 *   <li>Mined, then reorganised out before finality: the next call finds no receipt and rebroadcasts
 *       the same bytes.</li>
 * </ol>
 * The publisher key must be used by this publisher only (one nonce owner per key).
 */
public final class RootPublisher {
    private static final HexFormat HEX = HexFormat.of();
    private static final BigInteger TEN_PERCENT_NUMERATOR = BigInteger.valueOf(11);
    private static final BigInteger TEN = BigInteger.TEN;

    private final TransactionSender sender;
    private final ChainConfig config;
    private final TransactionJournal journal;
    private final TransactionSigner signer;
    private final RewardsDistributor distributor;

    public RootPublisher(Web3j web3j, ChainConfig config, TransactionJournal journal, TransactionSigner signer) {
        this.sender = new TransactionSender(web3j, config);
        this.config = config;
        this.journal = Objects.requireNonNull(journal, "journal");
        this.signer = Objects.requireNonNull(signer, "signer");
        // Only used to encode calls and read state; transactions go through the sender.
        this.distributor = RewardsDistributor.load(config.requireDistributorAddress(), web3j,
                new ReadonlyTransactionManager(web3j, signer.address()), new StaticGasProvider(BigInteger.ZERO, BigInteger.ZERO));
    }

    public static String intentId(long epoch) {
        return "root-epoch-" + epoch;
    }

    /** Journal key of attempt {@code index} (0: the first transaction, then replacements and re-signs). */
    public static String attemptId(long epoch, int index) {
        return index == 0 ? intentId(epoch) : intentId(epoch) + "#" + index;
    }

    /**
     * @param epoch epoch number (0 is the first), above every epoch published before
     * @param root 32-byte Merkle root of the cumulative rewards
     * @param totalCumulative sum of all leaves; the contract refuses more than the emission scheduled through {@code epoch}
     * @param manifestHash 32-byte SHA-256 of the epoch's canonical manifest, published with the root
     * @throws ContractRevertedException if the contract refuses the call before anything is signed
     * @throws ChainException on node errors or timeouts; calling again is safe and resumes
     */
    public SettlementReceipt publish(long epoch, byte[] root, BigInteger totalCumulative, byte[] manifestHash) {
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch must not be negative: " + epoch);
        }
        if (root.length != 32 || manifestHash.length != 32) {
            throw new IllegalArgumentException("root and manifestHash must be 32 bytes");
        }
        String data = distributor.publishRoot(BigInteger.valueOf(epoch), root, totalCumulative, manifestHash).encodeFunctionCall();
        List<JournaledTransaction> attempts = attempts(epoch);
        if (attempts.isEmpty()) {
            DistributorState state = DistributorState.read(distributor);
            if (state.lastEpoch() >= epoch) {
                return reconciled(epoch, root, state, null, "the chain already has epoch " + state.lastEpoch());
            }
            JournaledTransaction first = signAndRecord(epoch, 0, sender.pendingNonce(signer.address()), data, null);
            broadcastQuietly(first);
            attempts = attempts(epoch);
        }
        return drive(epoch, root, data, attempts);
    }

    private SettlementReceipt drive(long epoch, byte[] root, String data, List<JournaledTransaction> attempts) {
        long deadline = System.nanoTime() + config.receiptTimeout().toNanos();
        long lastSent = System.nanoTime();
        while (true) {
            Optional<SettlementReceipt> mined = minedAttempt(epoch, root, attempts);
            if (mined.isPresent()) {
                return mined.get();
            }
            JournaledTransaction latest = attempts.getLast();
            if (sender.minedNonce(latest.from()) > latest.nonce()) {
                // Our nonce is spent; if not by one of ours (checked again: it may have just been mined), by another transaction.
                mined = minedAttempt(epoch, root, attempts);
                if (mined.isPresent()) {
                    return mined.get();
                }
                DistributorState state = DistributorState.read(distributor);
                if (state.lastEpoch() >= epoch) {
                    return reconciled(epoch, root, state, null, "nonce " + latest.nonce() + " was taken and the chain has the epoch");
                }
                latest = signAndRecord(epoch, attempts.size(), sender.pendingNonce(signer.address()), data, null);
                attempts.add(latest);
                broadcastQuietly(latest);
                lastSent = System.nanoTime();
                continue;
            }
            DistributorState state = DistributorState.read(distributor);
            if (state.lastEpoch() >= epoch) {
                // Another key (or a lost journal's transaction) published it; ours, if ever mined, reverts harmlessly.
                mined = minedAttempt(epoch, root, attempts);
                return mined.orElseGet(() -> reconciled(epoch, root, state, null, "published by another transaction"));
            }
            if (!sender.isKnown(latest.txHash())) {
                // Crashed before broadcasting, dropped by the node, or reorganised out: the same bytes again.
                broadcastQuietly(latest);
            }
            if (System.nanoTime() - lastSent > config.stuckAfter().toNanos()) {
                Eip1559Fees paid = feesOf(latest);
                Eip1559Fees market = sender.currentFees();
                if (paid.maxFeePerGas().compareTo(market.maxFeePerGas()) < 0
                        || paid.maxPriorityFeePerGas().compareTo(market.maxPriorityFeePerGas()) < 0) {
                    Optional<Eip1559Fees> bumped = bump(paid, market, config.maxFeeCeilingWei());
                    if (bumped.isEmpty()) {
                        return new SettlementReceipt(intentId(epoch), SettlementReceipt.Outcome.FEE_CEILING, latest.txHash(), null, null,
                                "max fee " + paid.maxFeePerGas() + " wei is below the market's " + market.maxFeePerGas()
                                        + " and the ceiling " + config.maxFeeCeilingWei() + " leaves no 10 % replacement");
                    }
                    latest = signAndRecord(epoch, attempts.size(), latest.nonce(), data, bumped.get());
                    attempts.add(latest);
                    broadcastQuietly(latest);
                }
                lastSent = System.nanoTime();
            }
            if (System.nanoTime() > deadline) {
                throw new ChainException("no receipt for epoch " + epoch + " after " + config.receiptTimeout() + " ("
                        + attempts.size() + " attempt(s), nonce " + latest.nonce() + "); calling again resumes");
            }
            pause(config.receiptPollInterval());
        }
    }

    /** The attempt that was mined, made final and journaled; empty if none has a receipt. */
    private Optional<SettlementReceipt> minedAttempt(long epoch, byte[] root, List<JournaledTransaction> attempts) {
        for (JournaledTransaction attempt : attempts.reversed()) {
            Optional<TransactionReceipt> receipt = sender.findReceipt(attempt.txHash());
            if (receipt.isPresent()) {
                return Optional.of(confirm(epoch, root, attempt, receipt.get()));
            }
            if (attempt.isFinal()) {
                throw new IllegalStateException("journal says " + attempt.txHash() + " is final, but the node has no receipt");
            }
        }
        return Optional.empty();
    }

    private SettlementReceipt confirm(long epoch, byte[] root, JournaledTransaction attempt, TransactionReceipt receipt) {
        TransactionReceipt finalReceipt = attempt.isFinal() ? receipt : sender.awaitFinality(receipt);
        long block = finalReceipt.getBlockNumber().longValueExact();
        if (!attempt.isFinal()) {
            journal.markConfirmed(attempt.intentId(), block, finalReceipt.isStatusOK());
        }
        if (finalReceipt.isStatusOK()) {
            return new SettlementReceipt(intentId(epoch), SettlementReceipt.Outcome.PUBLISHED, attempt.txHash(), block,
                    finalReceipt.getGasUsed(), null);
        }
        // Reverted: most likely another key published the epoch first. The chain decides.
        DistributorState state = DistributorState.read(distributor);
        if (state.lastEpoch() >= epoch) {
            return reconciled(epoch, root, state, attempt.txHash(), "our transaction reverted; the chain has the epoch");
        }
        return new SettlementReceipt(intentId(epoch), SettlementReceipt.Outcome.REVERTED, attempt.txHash(), block,
                finalReceipt.getGasUsed(), "reverted in block " + block + " and the chain does not have the epoch");
    }

    /** The chain has {@code epoch} or a later one: settled if the root for this epoch is ours (or superseded), else a conflict. */
    private static SettlementReceipt reconciled(long epoch, byte[] root, DistributorState state, String txHash, String why) {
        byte[] onChain = state.hasPending() && state.pendingEpoch() == epoch ? state.pendingRoot()
                : state.hasActive() && state.activeEpoch() == epoch ? state.activeRoot() : null;
        if (onChain != null && !Arrays.equals(onChain, root)) {
            // Same epoch, other tree: the rewards computation is not deterministic, or the journal was lost.
            return new SettlementReceipt(intentId(epoch), SettlementReceipt.Outcome.CONFLICT, txHash, null, null,
                    "epoch " + epoch + " is on chain with root 0x" + HEX.formatHex(onChain) + ", not 0x" + HEX.formatHex(root));
        }
        return new SettlementReceipt(intentId(epoch), SettlementReceipt.Outcome.ALREADY_PUBLISHED, txHash, null, null, why);
    }

    private List<JournaledTransaction> attempts(long epoch) {
        List<JournaledTransaction> attempts = new ArrayList<>();
        for (int i = 0; ; i++) {
            Optional<JournaledTransaction> attempt = journal.find(attemptId(epoch, i));
            if (attempt.isEmpty()) {
                return attempts;
            }
            attempts.add(attempt.get());
        }
    }

    /** Signs and journals attempt {@code index}; if a concurrent run journaled it first, returns theirs (ours is dropped unsent). */
    private JournaledTransaction signAndRecord(long epoch, int index, long nonce, String data, Eip1559Fees fees) {
        String to = distributor.getContractAddress();
        SignedTransaction tx = fees == null ? sender.sign(signer, nonce, to, data) : sender.sign(signer, nonce, to, data, fees);
        JournaledTransaction entry = JournaledTransaction.signed(attemptId(epoch, index), tx.from(), tx.nonce(), tx.hash(), tx.raw());
        return journal.record(entry) ? entry : journal.find(entry.intentId()).orElseThrow();
    }

    /** "already known", "nonce too low", "replacement underpriced": the loop reconciles each from the chain. */
    private void broadcastQuietly(JournaledTransaction attempt) {
        try {
            sender.broadcast(new SignedTransaction(attempt.txHash(), attempt.signedRawTx(), attempt.from(), attempt.nonce()));
        } catch (ChainException rejected) {
            // Deliberately not rethrown: whatever the node said, the next look at the chain decides.
        }
    }

    static Eip1559Fees feesOf(JournaledTransaction attempt) {
        RawTransaction raw = TransactionDecoder.decode(attempt.signedRawTx());
        if (!(raw.getTransaction() instanceof Transaction1559 tx)) {
            throw new IllegalStateException("journaled transaction " + attempt.txHash() + " is not EIP-1559");
        }
        return new Eip1559Fees(tx.getMaxPriorityFeePerGas(), tx.getMaxFeePerGas());
    }

    /**
     * At least 10 % (rounded up) over what was paid on both fees (nodes refuse a replacement below
     * that), at least the market, at most the ceiling; empty when the ceiling leaves no valid replacement.
     */
    static Optional<Eip1559Fees> bump(Eip1559Fees paid, Eip1559Fees market, BigInteger ceiling) {
        BigInteger minTip = tenPercentMore(paid.maxPriorityFeePerGas());
        BigInteger minMax = tenPercentMore(paid.maxFeePerGas());
        BigInteger tip = minTip.max(market.maxPriorityFeePerGas());
        BigInteger max = minMax.max(market.maxFeePerGas()).max(tip).min(ceiling);
        if (max.compareTo(minMax) < 0 || max.compareTo(minTip) < 0) {
            return Optional.empty();
        }
        return Optional.of(new Eip1559Fees(tip.min(max), max));
    }

    private static BigInteger tenPercentMore(BigInteger value) {
        BigInteger[] qr = value.multiply(TEN_PERCENT_NUMERATOR).divideAndRemainder(TEN);
        return qr[1].signum() == 0 ? qr[0] : qr[0].add(BigInteger.ONE);
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ChainException("interrupted while waiting for the chain", e);
        }
    }
}
