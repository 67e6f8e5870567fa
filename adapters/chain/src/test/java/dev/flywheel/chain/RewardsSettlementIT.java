package dev.flywheel.chain;

import dev.flywheel.chain.contracts.RewardsDistributor;
import dev.flywheel.core.merkle.CumulativeMerkleTree;
import dev.flywheel.core.merkle.LeafDomain;
import dev.flywheel.core.settlement.JournaledTransaction;
import dev.flywheel.core.settlement.TransactionJournal;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.utils.Numeric;

import java.io.IOException;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.flywheel.chain.AnvilChain.DEPLOYER;
import static dev.flywheel.chain.AnvilChain.GOVERNOR;
import static dev.flywheel.chain.AnvilChain.GUARDIAN;
import static dev.flywheel.chain.AnvilChain.OWNER_A;
import static dev.flywheel.chain.AnvilChain.OWNER_B;
import static dev.flywheel.chain.AnvilChain.OWNER_C;
import static dev.flywheel.chain.AnvilChain.PUBLISHER;
import static dev.flywheel.chain.AnvilChain.RELAYER;
import static dev.flywheel.chain.AnvilChain.fly;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Deploys the contracts on a real Anvil (the stand-in for Polygon) and settles rewards end to end.
 * Each test gets fresh contracts (activation delay 0, as on the devnet), so nothing is published yet.
 */
class RewardsSettlementIT {
    private static final byte[] MANIFEST = Numeric.hexStringToByteArray("0x" + "ab".repeat(32));
    private static AnvilChain anvil;

    private ChainConfig config;
    private LeafDomain domain;
    private TransactionSender sender;
    private RewardsClaimer claimer;
    private InMemoryTransactionJournal journal;

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

    @BeforeEach
    void deployFreshContracts() {
        config = anvil.deploy(AnvilChain.plan(Duration.ZERO));
        domain = anvil.domain(config);
        sender = new TransactionSender(anvil.web3j, config);
        claimer = new RewardsClaimer(anvil.web3j, config);
        journal = new InMemoryTransactionJournal();
    }

    @Test
    void deploymentWiresTheRolesAndTheDeployerHoldsNone() throws Exception {
        RewardsDistributor distributor = anvil.distributor(config);
        var timelock = anvil.timelock(config);

        assertEquals("Flywheel", distributor.name().send());
        assertEquals("FLY", distributor.symbol().send());
        assertEquals(BigInteger.valueOf(18), distributor.decimals().send());
        assertEquals(config.tokenAddress(), config.distributorAddress(), "the distributor is the token");
        byte[] admin = distributor.DEFAULT_ADMIN_ROLE().send();
        byte[] publisherRole = distributor.ROOT_PUBLISHER_ROLE().send();
        byte[] guardianRole = distributor.GUARDIAN_ROLE().send();
        assertTrue(distributor.hasRole(admin, config.timelockAddress()).send());
        assertTrue(distributor.hasRole(publisherRole, PUBLISHER.getAddress()).send());
        assertTrue(distributor.hasRole(guardianRole, GUARDIAN.getAddress()).send());
        for (byte[] role : List.of(admin, publisherRole, guardianRole)) {
            assertFalse(distributor.hasRole(role, DEPLOYER.getAddress()).send());
        }
        for (byte[] role : List.of(timelock.DEFAULT_ADMIN_ROLE().send(), timelock.PROPOSER_ROLE().send(),
                timelock.EXECUTOR_ROLE().send(), timelock.CANCELLER_ROLE().send())) {
            assertFalse(timelock.hasRole(role, DEPLOYER.getAddress()).send());
        }
        assertTrue(timelock.hasRole(timelock.PROPOSER_ROLE().send(), GOVERNOR.getAddress()).send());
        assertEquals(AnvilChain.EMISSION, distributor.emissionPerEpoch().send());
        assertFalse(claimer.state().hasActive());
        assertEquals(-1, claimer.state().lastEpoch());
    }

    @Test
    void claimsPayTheCumulativeAmountOnceAndLaterOnlyTheDifference() {
        String a = OWNER_A.getAddress();
        String b = OWNER_B.getAddress();
        CumulativeMerkleTree epoch0 = AnvilChain.tree(domain, Map.of(a, fly(100), b, fly(50)));
        assertEquals(SettlementReceipt.Outcome.PUBLISHED, publisher().publish(0, epoch0.root(), epoch0.totalCumulative(), MANIFEST).outcome(),
                "epoch 0 is publishable");
        assertArrayEquals(epoch0.root(), claimer.currentRoot());
        assertEquals(0, claimer.currentEpoch());

        // A relayer pays the gas; the tokens go to the account, out of the distributor's released balance.
        ClaimResult first = claimer.claim(RELAYER, a, fly(100), epoch0.proof(a));
        assertEquals(fly(100), first.amountPaid());
        assertEquals(fly(100), claimer.tokenBalance(a));
        assertEquals(fly(100), claimer.claimedAmount(a));
        assertEquals(BigInteger.ZERO, claimer.tokenBalance(RELAYER.getAddress()));

        ContractRevertedException again = assertThrows(ContractRevertedException.class,
                () -> claimer.claim(RELAYER, a, fly(100), epoch0.proof(a)));
        assertEquals("NothingToClaim", again.errorName());
        assertEquals(fly(100), claimer.tokenBalance(a));

        // Epoch 2: A earned 150 more; B skipped claiming and loses nothing; C is new.
        CumulativeMerkleTree epoch2 = AnvilChain.tree(domain, Map.of(a, fly(250), b, fly(50), OWNER_C, fly(10)));
        assertEquals(SettlementReceipt.Outcome.PUBLISHED, publisher().publish(2, epoch2.root(), epoch2.totalCumulative(), MANIFEST).outcome());

        ClaimResult topUp = claimer.claim(OWNER_A, a, fly(250), epoch2.proof(a));
        assertEquals(fly(150), topUp.amountPaid());
        assertEquals(fly(250), claimer.tokenBalance(a));
        ClaimResult newHolder = claimer.claim(RELAYER, b, fly(50), epoch2.proof(b));
        assertEquals(fly(50), newHolder.amountPaid());
        assertEquals(fly(50), claimer.tokenBalance(b));

        // The epoch-0 proof is useless once the root moved on.
        assertEquals("InvalidProof", assertThrows(ContractRevertedException.class,
                () -> claimer.claim(RELAYER, b, fly(50), epoch0.proof(b))).errorName());
    }

    @Test
    void forgedProofsAndWrongAmountsAreRefused() {
        String a = OWNER_A.getAddress();
        String b = OWNER_B.getAddress();
        CumulativeMerkleTree tree = AnvilChain.tree(domain, Map.of(a, fly(100), b, fly(50), OWNER_C, fly(1)));
        publisher().publish(1, tree.root(), tree.totalCumulative(), MANIFEST);

        assertEquals("InvalidProof", claimFails(a, fly(101), tree.proof(a)));
        assertEquals("InvalidProof", claimFails(b, fly(100), tree.proof(a)), "another owner's amount");
        assertEquals("InvalidProof", claimFails(a, fly(100), tree.proof(b)));
        List<byte[]> tampered = new ArrayList<>(tree.proof(a));
        tampered.set(0, tampered.get(0).clone());
        tampered.get(0)[0] ^= 1;
        assertEquals("InvalidProof", claimFails(a, fly(100), tampered));
        assertEquals("InvalidProof", claimFails(a, fly(100), List.of()));

        assertEquals(BigInteger.ZERO, claimer.tokenBalance(a));
        assertEquals(BigInteger.ZERO, claimer.tokenBalance(b));
    }

    @Test
    void theContractRefusesToPublishAnEpochTwice() throws IOException {
        CumulativeMerkleTree epoch1 = tree(Map.of(OWNER_A.getAddress(), fly(1)));
        CumulativeMerkleTree other = tree(Map.of(OWNER_A.getAddress(), fly(2)));
        publisher().publish(1, epoch1.root(), epoch1.totalCumulative(), MANIFEST);
        String republish = distributor().publishRoot(BigInteger.ONE, other.root(), other.totalCumulative(), MANIFEST).encodeFunctionCall();

        // Caught in gas estimation, before anything is signed...
        ContractRevertedException estimated = assertThrows(ContractRevertedException.class,
                () -> sender.sendAndWait(new LocalKeyTransactionSigner(PUBLISHER), config.distributorAddress(), republish));
        assertEquals("EpochNotIncreasing", estimated.errorName());
        // ...and by the contract itself when sent anyway.
        TransactionReceipt forced = sendWithoutEstimate(PUBLISHER, config.distributorAddress(), republish);
        assertFalse(forced.isStatusOK());
        assertArrayEquals(epoch1.root(), claimer.currentRoot());

        // Only the publisher role may publish.
        String epoch2 = distributor().publishRoot(BigInteger.TWO, other.root(), other.totalCumulative(), MANIFEST).encodeFunctionCall();
        assertEquals("AccessControlUnauthorizedAccount", assertThrows(ContractRevertedException.class,
                () -> sender.sendAndWait(new LocalKeyTransactionSigner(RELAYER), config.distributorAddress(), epoch2)).errorName());
    }

    @Test
    void alreadyPublishedEpochIsReportedWithoutSending() {
        CumulativeMerkleTree tree = tree(Map.of(OWNER_A.getAddress(), fly(1)));
        publisher().publish(1, tree.root(), tree.totalCumulative(), MANIFEST);
        long nonce = anvil.confirmedNonce(PUBLISHER.getAddress());

        // A publisher whose journal lost the entry (or another publisher) must not send again.
        SettlementReceipt receipt = new RootPublisher(anvil.web3j, config, new InMemoryTransactionJournal(), new LocalKeyTransactionSigner(PUBLISHER))
                .publish(1, tree.root(), tree.totalCumulative(), MANIFEST);

        assertEquals(SettlementReceipt.Outcome.ALREADY_PUBLISHED, receipt.outcome());
        assertNull(receipt.txHash());
        assertEquals(nonce, anvil.confirmedNonce(PUBLISHER.getAddress()));
        SettlementReceipt conflict = new RootPublisher(anvil.web3j, config, new InMemoryTransactionJournal(),
                new LocalKeyTransactionSigner(PUBLISHER)).publish(1, tree(Map.of(OWNER_B.getAddress(), fly(1))).root(), fly(1), MANIFEST);
        assertEquals(SettlementReceipt.Outcome.CONFLICT, conflict.outcome(), "same epoch, other root: an alarm, not an exception");
        assertTrue(conflict.detail().contains("is on chain with root"));
        assertEquals(nonce, anvil.confirmedNonce(PUBLISHER.getAddress()));
    }

    @Test
    void retryAfterSuccessReturnsTheSameReceiptWithoutASecondTransaction() {
        CumulativeMerkleTree tree = tree(Map.of(OWNER_A.getAddress(), fly(7), OWNER_B.getAddress(), fly(3)));
        long nonceBefore = anvil.confirmedNonce(PUBLISHER.getAddress());

        SettlementReceipt first = publisher().publish(1, tree.root(), tree.totalCumulative(), MANIFEST);
        SettlementReceipt retry = publisher().publish(1, tree.root(), tree.totalCumulative(), MANIFEST);

        System.out.println("RewardsDistributor.publishRoot gas used: " + first.gasUsed());
        assertEquals(SettlementReceipt.Outcome.PUBLISHED, first.outcome());
        assertEquals(first, retry);
        assertEquals(nonceBefore + 1, anvil.confirmedNonce(PUBLISHER.getAddress()));
        JournaledTransaction entry = journal.find(RootPublisher.intentId(1)).orElseThrow();
        assertEquals(JournaledTransaction.Status.CONFIRMED, entry.status());
        assertEquals(first.txHash(), entry.txHash());
        assertEquals(nonceBefore, entry.nonce());
    }

    @Test
    void crashBetweenJournalAndBroadcastIsRecoveredWithTheSameSignedBytes() {
        CumulativeMerkleTree tree = tree(Map.of(OWNER_A.getAddress(), fly(5)));
        long nonceBefore = anvil.confirmedNonce(PUBLISHER.getAddress());
        TransactionJournal crashesAfterRecording = new DelegatingJournal(journal) {
            @Override
            public boolean record(JournaledTransaction tx) {
                super.record(tx);
                throw new SimulatedCrash();
            }
        };

        assertThrows(SimulatedCrash.class, () -> publisher(crashesAfterRecording).publish(1, tree.root(), tree.totalCumulative(), MANIFEST));
        JournaledTransaction signed = journal.find(RootPublisher.intentId(1)).orElseThrow();
        assertEquals(JournaledTransaction.Status.SIGNED, signed.status());
        assertFalse(sender.isKnown(signed.txHash()), "nothing was broadcast before the crash");
        assertFalse(claimer.state().hasActive());

        SettlementReceipt recovered = publisher().publish(1, tree.root(), tree.totalCumulative(), MANIFEST);

        assertEquals(SettlementReceipt.Outcome.PUBLISHED, recovered.outcome());
        assertEquals(signed.txHash(), recovered.txHash(), "the journaled bytes were rebroadcast, not re-signed");
        assertEquals(nonceBefore, signed.nonce());
        assertEquals(nonceBefore + 1, anvil.confirmedNonce(PUBLISHER.getAddress()), "exactly one transaction used exactly one nonce");
        assertEquals(1, claimer.currentEpoch());
        assertEquals(JournaledTransaction.Status.CONFIRMED, journal.find(RootPublisher.intentId(1)).orElseThrow().status());
    }

    @Test
    void crashAfterBroadcastBeforeConfirmationIsResumedWithoutResending() {
        CumulativeMerkleTree tree = tree(Map.of(OWNER_A.getAddress(), fly(5)));
        long nonceBefore = anvil.confirmedNonce(PUBLISHER.getAddress());
        TransactionJournal crashesOnConfirm = new DelegatingJournal(journal) {
            @Override
            public void markConfirmed(String intentId, long blockNumber, boolean success) {
                throw new SimulatedCrash();
            }
        };

        assertThrows(SimulatedCrash.class, () -> publisher(crashesOnConfirm).publish(1, tree.root(), tree.totalCumulative(), MANIFEST));
        JournaledTransaction sent = journal.find(RootPublisher.intentId(1)).orElseThrow();
        assertEquals(JournaledTransaction.Status.SIGNED, sent.status());

        SettlementReceipt resumed = publisher().publish(1, tree.root(), tree.totalCumulative(), MANIFEST);

        assertEquals(SettlementReceipt.Outcome.PUBLISHED, resumed.outcome());
        assertEquals(sent.txHash(), resumed.txHash());
        assertEquals(nonceBefore + 1, anvil.confirmedNonce(PUBLISHER.getAddress()));
        assertEquals(JournaledTransaction.Status.CONFIRMED, journal.find(RootPublisher.intentId(1)).orElseThrow().status());
    }

    private RootPublisher publisher() {
        return publisher(journal);
    }

    private RootPublisher publisher(TransactionJournal withJournal) {
        return new RootPublisher(anvil.web3j, config, withJournal, new LocalKeyTransactionSigner(PUBLISHER));
    }

    private RewardsDistributor distributor() {
        return anvil.distributor(config);
    }

    private String claimFails(String account, BigInteger cumulativeAmount, List<byte[]> proof) {
        return assertThrows(ContractRevertedException.class, () -> claimer.claim(RELAYER, account, cumulativeAmount, proof)).errorName();
    }

    private TransactionReceipt sendWithoutEstimate(Credentials from, String to, String data) throws IOException {
        Eip1559Fees fees = sender.currentFees();
        RawTransaction tx = RawTransaction.createTransaction(config.chainId(), BigInteger.valueOf(sender.pendingNonce(from.getAddress())),
                BigInteger.valueOf(300_000), to, BigInteger.ZERO, data, fees.maxPriorityFeePerGas(), fees.maxFeePerGas());
        String hash = anvil.web3j.ethSendRawTransaction(Numeric.toHexString(TransactionEncoder.signMessage(tx, from))).send().getTransactionHash();
        return sender.awaitReceipt(hash);
    }

    private CumulativeMerkleTree tree(Map<String, BigInteger> cumulative) {
        return AnvilChain.tree(domain, cumulative);
    }

    private static final class SimulatedCrash extends RuntimeException {
        SimulatedCrash() {
            super("simulated crash");
        }
    }

    /** Forwards to the shared journal, so a test can make one step "crash" after (or instead of) the real write. */
    private static class DelegatingJournal implements TransactionJournal {
        private final TransactionJournal delegate;

        DelegatingJournal(TransactionJournal delegate) {
            this.delegate = delegate;
        }

        @Override
        public Optional<JournaledTransaction> find(String intentId) {
            return delegate.find(intentId);
        }

        @Override
        public boolean record(JournaledTransaction tx) {
            return delegate.record(tx);
        }

        @Override
        public void markConfirmed(String intentId, long blockNumber, boolean success) {
            delegate.markConfirmed(intentId, blockNumber, success);
        }
    }
}
