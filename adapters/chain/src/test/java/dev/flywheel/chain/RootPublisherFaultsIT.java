package dev.flywheel.chain;

import dev.flywheel.core.merkle.CumulativeMerkleTree;
import dev.flywheel.core.settlement.JournaledTransaction;
import dev.flywheel.core.settlement.TransactionJournal;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.web3j.utils.Numeric;

import java.math.BigInteger;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static dev.flywheel.chain.AnvilChain.OTHER_PUBLISHER;
import static dev.flywheel.chain.AnvilChain.OWNER_A;
import static dev.flywheel.chain.AnvilChain.OWNER_B;
import static dev.flywheel.chain.AnvilChain.PUBLISHER;
import static dev.flywheel.chain.AnvilChain.RELAYER;
import static dev.flywheel.chain.AnvilChain.fly;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a live chain does to a settlement transaction, on Anvil; each ends with the root on chain
 * exactly once and an outcome the settler records as settled (PUBLISHED or ALREADY_PUBLISHED).
 */
class RootPublisherFaultsIT {
    private static final byte[] MANIFEST = Numeric.hexStringToByteArray("0x" + "77".repeat(32));
    private static final BigInteger GWEI = BigInteger.TEN.pow(9);
    private static AnvilChain anvil;

    @BeforeAll
    static void connect() {
        anvil = new AnvilChain();
    }

    @AfterAll
    static void disconnect() {
        if (anvil != null) {
            anvil.close();
        }
    }

    private record Setup(ChainConfig config, CumulativeMerkleTree tree, String data, InMemoryTransactionJournal journal) {
    }

    private static Setup setup(long epoch) {
        ChainConfig config = anvil.deploy(AnvilChain.plan(Duration.ZERO))
                .withReplacement(Duration.ofSeconds(2), BigInteger.valueOf(5_000).multiply(GWEI));
        CumulativeMerkleTree tree = AnvilChain.tree(anvil.domain(config), Map.of(OWNER_A.getAddress(), fly(7), OWNER_B.getAddress(), fly(3)));
        String data = anvil.distributor(config).publishRoot(BigInteger.valueOf(epoch), tree.root(), tree.totalCumulative(), MANIFEST)
                .encodeFunctionCall();
        return new Setup(config, tree, data, new InMemoryTransactionJournal());
    }

    private static RootPublisher publisher(Setup s) {
        return new RootPublisher(anvil.web3j, s.config(), s.journal(), new LocalKeyTransactionSigner(PUBLISHER));
    }

    /** Journals attempt 0 as the publisher would just before broadcasting, with the given fees (null: the market's). */
    private static JournaledTransaction journalFirstAttempt(Setup s, long epoch, Eip1559Fees fees) {
        TransactionSender sender = new TransactionSender(anvil.web3j, s.config());
        var signer = new LocalKeyTransactionSigner(PUBLISHER);
        long nonce = sender.pendingNonce(signer.address());
        SignedTransaction tx = fees == null ? sender.sign(signer, nonce, s.config().distributorAddress(), s.data())
                : sender.sign(signer, nonce, s.config().distributorAddress(), s.data(), fees);
        JournaledTransaction entry = JournaledTransaction.signed(RootPublisher.intentId(epoch), tx.from(), tx.nonce(), tx.hash(), tx.raw());
        assertTrue(s.journal().record(entry));
        return entry;
    }

    @Test
    void aTransactionStuckBelowTheBaseFeeIsReplacedAtTheSameNonceAndMinedOnce() {
        Setup s = setup(20);
        long nonce = anvil.confirmedNonce(PUBLISHER.getAddress());
        JournaledTransaction stuck = stuckAttempt(s, 20);
        BigInteger stuckMax = RootPublisher.feesOf(stuck).maxFeePerGas();

        SettlementReceipt receipt = publisher(s).publish(20, s.tree().root(), s.tree().totalCumulative(), MANIFEST);

        assertEquals(SettlementReceipt.Outcome.PUBLISHED, receipt.outcome());
        assertNotEquals(stuck.txHash(), receipt.txHash(), "the replacement was mined, not the stuck transaction");
        JournaledTransaction replacement = s.journal().find(RootPublisher.attemptId(20, 1)).orElseThrow();
        assertEquals(receipt.txHash(), replacement.txHash(), "the replacement was journaled before it was sent");
        assertEquals(stuck.nonce(), replacement.nonce());
        assertEquals(JournaledTransaction.Status.CONFIRMED, replacement.status());
        Eip1559Fees paid = RootPublisher.feesOf(replacement);
        assertTrue(paid.maxFeePerGas().multiply(BigInteger.TEN).compareTo(stuckMax.multiply(BigInteger.valueOf(11))) >= 0, "at least 10 % more");
        assertTrue(new TransactionSender(anvil.web3j, s.config()).findReceipt(stuck.txHash()).isEmpty());
        assertEquals(nonce + 1, anvil.confirmedNonce(PUBLISHER.getAddress()), "one transaction mined at that nonce");
        assertArrayEquals(s.tree().root(), new RewardsClaimer(anvil.web3j, s.config()).currentRoot());
        System.out.println("RootPublisherFaultsIT: stuck at " + stuckMax + " wei max fee, replaced at " + paid.maxFeePerGas() + " wei");
    }

    @Test
    void aCrashBetweenJournalingAReplacementAndSendingItStillEndsWithOneMinedTransaction() {
        Setup s = setup(24);
        long nonce = anvil.confirmedNonce(PUBLISHER.getAddress());
        JournaledTransaction stuck = stuckAttempt(s, 24);
        TransactionJournal crashesOnReplacement = new TransactionJournal() {
            @Override
            public Optional<JournaledTransaction> find(String intentId) {
                return s.journal().find(intentId);
            }

            @Override
            public boolean record(JournaledTransaction tx) {
                s.journal().record(tx);
                throw new IllegalStateException("simulated crash after journaling " + tx.intentId());
            }

            @Override
            public void markConfirmed(String intentId, long blockNumber, boolean success) {
                s.journal().markConfirmed(intentId, blockNumber, success);
            }
        };

        assertThrows(IllegalStateException.class, () -> new RootPublisher(anvil.web3j, s.config(), crashesOnReplacement,
                new LocalKeyTransactionSigner(PUBLISHER)).publish(24, s.tree().root(), s.tree().totalCumulative(), MANIFEST));
        JournaledTransaction unsent = s.journal().find(RootPublisher.attemptId(24, 1)).orElseThrow();
        assertEquals(stuck.nonce(), unsent.nonce());

        SettlementReceipt receipt = publisher(s).publish(24, s.tree().root(), s.tree().totalCumulative(), MANIFEST);

        assertEquals(SettlementReceipt.Outcome.PUBLISHED, receipt.outcome());
        assertTrue(receipt.txHash().equals(unsent.txHash()) || s.journal().size() > 2,
                "the journaled replacement was sent, or replaced again in turn");
        assertEquals(nonce + 1, anvil.confirmedNonce(PUBLISHER.getAddress()), "one transaction mined at that nonce");
        assertEquals(24, new RewardsClaimer(anvil.web3j, s.config()).currentEpoch());
    }

    /**
     * Attempt 0 offering just above the current base fee, sent; then the next block's base fee jumps
     * 40-fold, and falls back only 12.5 % a block: the attempt waits in the pool, below the market.
     */
    private static JournaledTransaction stuckAttempt(Setup s, long epoch) {
        anvil.rpc("evm_setIntervalMining", 0);
        try {
            BigInteger base = latestBaseFee();
            BigInteger max = base.multiply(BigInteger.valueOf(11)).divide(BigInteger.TEN).add(GWEI);
            JournaledTransaction stuck = journalFirstAttempt(s, epoch, new Eip1559Fees(GWEI, max));
            new TransactionSender(anvil.web3j, s.config()).broadcast(
                    new SignedTransaction(stuck.txHash(), stuck.signedRawTx(), stuck.from(), stuck.nonce()));
            anvil.rpc("anvil_setNextBlockBaseFeePerGas", Numeric.toHexStringWithPrefix(max.multiply(BigInteger.valueOf(40))));
            return stuck;
        } finally {
            anvil.rpc("evm_setIntervalMining", 1);
        }
    }

    private static BigInteger latestBaseFee() {
        try {
            return anvil.web3j.ethGetBlockByNumber(org.web3j.protocol.core.DefaultBlockParameterName.LATEST, false).send()
                    .getBlock().getBaseFeePerGas();
        } catch (java.io.IOException e) {
            throw new ChainException("eth_getBlockByNumber failed", e);
        }
    }

    @Test
    void aNonceTakenByAnotherTransactionIsReconciledAndTheRootSentAtAFreshNonce() {
        Setup s = setup(21);
        JournaledTransaction orphan = journalFirstAttempt(s, 21, null); // crashed before broadcasting...
        // ...and the key's nonce went to another transaction meanwhile.
        new TransactionSender(anvil.web3j, s.config()).sendAndWait(new LocalKeyTransactionSigner(PUBLISHER), RELAYER.getAddress(), "0x");
        assertEquals(orphan.nonce() + 1, anvil.confirmedNonce(PUBLISHER.getAddress()));

        SettlementReceipt receipt = publisher(s).publish(21, s.tree().root(), s.tree().totalCumulative(), MANIFEST);

        assertEquals(SettlementReceipt.Outcome.PUBLISHED, receipt.outcome());
        JournaledTransaction fresh = s.journal().find(RootPublisher.attemptId(21, 1)).orElseThrow();
        assertEquals(receipt.txHash(), fresh.txHash());
        assertEquals(orphan.nonce() + 1, fresh.nonce());
        assertEquals(orphan.nonce() + 2, anvil.confirmedNonce(PUBLISHER.getAddress()));
        assertEquals(21, new RewardsClaimer(anvil.web3j, s.config()).currentEpoch());
        // A further run changes nothing.
        assertEquals(receipt, publisher(s).publish(21, s.tree().root(), s.tree().totalCumulative(), MANIFEST));
    }

    @Test
    void anEpochPublishedByAnotherKeyIsReconciledFromTheChainWithoutSending() {
        Setup s = setup(22);
        anvil.fund(OTHER_PUBLISHER.getAddress());
        var distributor = anvil.distributor(s.config());
        byte[] role = ContractCalls.read(distributor.ROOT_PUBLISHER_ROLE(), "ROOT_PUBLISHER_ROLE()");
        anvil.throughTimelock(s.config(), distributor.grantRole(role, OTHER_PUBLISHER.getAddress()).encodeFunctionCall());
        JournaledTransaction ours = journalFirstAttempt(s, 22, null);
        new TransactionSender(anvil.web3j, s.config()).sendAndWait(new LocalKeyTransactionSigner(OTHER_PUBLISHER),
                s.config().distributorAddress(), s.data());
        long nonce = anvil.confirmedNonce(PUBLISHER.getAddress());

        SettlementReceipt receipt = publisher(s).publish(22, s.tree().root(), s.tree().totalCumulative(), MANIFEST);

        assertEquals(SettlementReceipt.Outcome.ALREADY_PUBLISHED, receipt.outcome());
        assertTrue(receipt.settled());
        assertEquals(nonce, anvil.confirmedNonce(PUBLISHER.getAddress()), "ours was never sent");
        assertTrue(new TransactionSender(anvil.web3j, s.config()).findReceipt(ours.txHash()).isEmpty());
        assertEquals(22, new RewardsClaimer(anvil.web3j, s.config()).currentEpoch());
    }

    @Test
    void aRootReorganisedOutBeforeFinalityIsRebroadcastWithTheSameBytes() {
        Setup s = setup(23);
        long nonce = anvil.confirmedNonce(PUBLISHER.getAddress());
        Object snapshot = anvil.rpc("evm_snapshot");
        // Mined, but the publisher gives up waiting for finality (as a Lambda timeout would)...
        ChainConfig impatient = s.config().withTimeouts(s.config().receiptTimeout(), Duration.ofMillis(1));
        assertThrows(ChainException.class, () -> new RootPublisher(anvil.web3j, impatient, s.journal(), new LocalKeyTransactionSigner(PUBLISHER))
                .publish(23, s.tree().root(), s.tree().totalCumulative(), MANIFEST));
        JournaledTransaction sent = s.journal().find(RootPublisher.intentId(23)).orElseThrow();
        TransactionSender sender = new TransactionSender(anvil.web3j, s.config());
        assertTrue(sender.findReceipt(sent.txHash()).isPresent(), "mined before the reorg");
        // ...and the block is reorganised away.
        assertEquals(Boolean.TRUE, anvil.rpc("evm_revert", snapshot));
        assertTrue(sender.findReceipt(sent.txHash()).isEmpty(), "gone after the reorg");

        SettlementReceipt receipt = publisher(s).publish(23, s.tree().root(), s.tree().totalCumulative(), MANIFEST);

        assertEquals(SettlementReceipt.Outcome.PUBLISHED, receipt.outcome());
        assertEquals(sent.txHash(), receipt.txHash(), "the journaled bytes, not a new signature");
        assertEquals(1, s.journal().size(), "one attempt");
        assertEquals(nonce + 1, anvil.confirmedNonce(PUBLISHER.getAddress()));
        assertEquals(23, new RewardsClaimer(anvil.web3j, s.config()).currentEpoch());
    }
}
