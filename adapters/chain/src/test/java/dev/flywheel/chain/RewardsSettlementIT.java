package dev.flywheel.chain;

import dev.flywheel.chain.contracts.FlywheelToken;
import dev.flywheel.chain.contracts.RewardsDistributor;
import dev.flywheel.core.merkle.CumulativeMerkleTree;
import dev.flywheel.core.merkle.RewardLeaf;
import dev.flywheel.core.settlement.JournaledTransaction;
import dev.flywheel.core.settlement.TransactionJournal;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.protocol.http.HttpService;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.gas.StaticGasProvider;
import org.web3j.utils.Numeric;

import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Deploys the contracts on a real Anvil (the stand-in for Polygon) and settles rewards end to end.
 * Each test gets fresh contracts, so epochs start at zero.
 */
class RewardsSettlementIT {
    // Anvil's default dev accounts (mnemonic "test test ... junk"), funded with 10,000 ETH each.
    private static final Credentials DEPLOYER = Credentials.create("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
    private static final Credentials PUBLISHER = Credentials.create("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
    private static final Credentials RELAYER = Credentials.create("0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a");
    private static final Credentials OWNER_A = Credentials.create("0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6");
    private static final Credentials OWNER_B = Credentials.create("0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a");
    private static final String OWNER_C = "0x9965507d1a55bcc2695c58ba16fb37d819b0a4dc";
    private static final BigInteger FLY = BigInteger.TEN.pow(18);

    private static Web3j web3j;
    private static ChainConfig network;

    private ChainConfig config;
    private TransactionSender sender;
    private RewardsClaimer claimer;
    private InMemoryTransactionJournal journal;

    @BeforeAll
    static void connect() {
        String rpc = System.getenv("FLYWHEEL_CHAIN_RPC");
        String chainId = System.getenv("FLYWHEEL_CHAIN_ID");
        if (rpc == null || rpc.isBlank() || chainId == null || chainId.isBlank()) {
            throw new IllegalStateException("FLYWHEEL_CHAIN_RPC and FLYWHEEL_CHAIN_ID are not set: run the integration tests "
                    + "via scripts/test, which starts Anvil and sets them");
        }
        web3j = Web3j.build(new HttpService(rpc));
        network = ChainConfig.of(rpc, Long.parseLong(chainId));
    }

    @AfterAll
    static void disconnect() {
        if (web3j != null) {
            web3j.shutdown();
        }
    }

    @BeforeEach
    void deployFreshContracts() {
        DeployedContracts contracts = new RewardsContractsDeployer(web3j, network)
                .deploy(new LocalKeyTransactionSigner(DEPLOYER), PUBLISHER.getAddress());
        config = network.withContracts(contracts);
        sender = new TransactionSender(web3j, config);
        claimer = new RewardsClaimer(web3j, config);
        journal = new InMemoryTransactionJournal();
    }

    @Test
    void deploymentWiresTheRoles() throws Exception {
        var readonly = new ReadonlyTransactionManager(web3j, DEPLOYER.getAddress());
        var noGas = new StaticGasProvider(BigInteger.ZERO, BigInteger.ZERO);
        FlywheelToken token = FlywheelToken.load(config.tokenAddress(), web3j, readonly, noGas);
        RewardsDistributor distributor = RewardsDistributor.load(config.distributorAddress(), web3j, readonly, noGas);

        assertEquals("Flywheel", token.name().send());
        assertEquals("FLY", token.symbol().send());
        assertEquals(BigInteger.valueOf(18), token.decimals().send());
        assertTrue(token.hasRole(token.MINTER_ROLE().send(), config.distributorAddress()).send());
        assertFalse(token.hasRole(token.MINTER_ROLE().send(), DEPLOYER.getAddress()).send());
        assertTrue(distributor.hasRole(distributor.ROOT_PUBLISHER_ROLE().send(), PUBLISHER.getAddress()).send());
        assertEquals(config.tokenAddress(), distributor.token().send().toLowerCase());
        assertEquals(0, claimer.currentEpoch());
    }

    @Test
    void claimsPayTheCumulativeAmountOnceAndLaterOnlyTheDifference() {
        String a = OWNER_A.getAddress();
        String b = OWNER_B.getAddress();
        CumulativeMerkleTree epoch1 = tree(Map.of(a, fly(100), b, fly(50)));
        assertEquals(SettlementReceipt.Outcome.PUBLISHED, publisher().publish(1, epoch1.root(), epoch1.totalCumulative()).outcome());
        assertArrayEquals(epoch1.root(), claimer.currentRoot());
        assertEquals(1, claimer.currentEpoch());

        // A relayer pays the gas; the tokens go to the account.
        ClaimResult first = claimer.claim(RELAYER, a, fly(100), epoch1.proof(a));
        System.out.println("RewardsDistributor.claim gas used (first claim ever, new holder, 2-leaf tree): " + first.receipt().getGasUsed());
        assertEquals(fly(100), first.amountPaid());
        assertEquals(fly(100), claimer.tokenBalance(a));
        assertEquals(fly(100), claimer.claimedAmount(a));
        assertEquals(BigInteger.ZERO, claimer.tokenBalance(RELAYER.getAddress()));

        ContractRevertedException again = assertThrows(ContractRevertedException.class,
                () -> claimer.claim(RELAYER, a, fly(100), epoch1.proof(a)));
        assertEquals("NothingToClaim", again.errorName());
        assertEquals(fly(100), claimer.tokenBalance(a));

        // Epoch 2: A earned 150 more; B skipped claiming epoch 1 and loses nothing; C is new.
        CumulativeMerkleTree epoch2 = tree(Map.of(a, fly(250), b, fly(50), OWNER_C, fly(10)));
        assertEquals(SettlementReceipt.Outcome.PUBLISHED, publisher().publish(2, epoch2.root(), epoch2.totalCumulative()).outcome());

        ClaimResult topUp = claimer.claim(OWNER_A, a, fly(250), epoch2.proof(a));
        System.out.println("RewardsDistributor.claim gas used (top-up claim, existing holder, 3-leaf tree): " + topUp.receipt().getGasUsed());
        assertEquals(fly(150), topUp.amountPaid());
        assertEquals(fly(250), claimer.tokenBalance(a));
        ClaimResult newHolder = claimer.claim(RELAYER, b, fly(50), epoch2.proof(b));
        System.out.println("RewardsDistributor.claim gas used (new holder, 3-leaf tree): " + newHolder.receipt().getGasUsed());
        assertEquals(fly(50), newHolder.amountPaid());
        assertEquals(fly(50), claimer.tokenBalance(b));

        // The epoch-1 proof is useless once the root moved on.
        assertEquals("InvalidProof", assertThrows(ContractRevertedException.class,
                () -> claimer.claim(RELAYER, b, fly(50), epoch1.proof(b))).errorName());
    }

    @Test
    void forgedProofsAndWrongAmountsAreRefused() {
        String a = OWNER_A.getAddress();
        String b = OWNER_B.getAddress();
        CumulativeMerkleTree tree = tree(Map.of(a, fly(100), b, fly(50), OWNER_C, fly(1)));
        publisher().publish(1, tree.root(), tree.totalCumulative());

        assertEquals("InvalidProof", claimFails(a, fly(101), tree.proof(a)));
        assertEquals("InvalidProof", claimFails(b, fly(100), tree.proof(a)));
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
    void payoutsNeverExceedThePublishedTotal() {
        String a = OWNER_A.getAddress();
        String b = OWNER_B.getAddress();
        CumulativeMerkleTree tree = tree(Map.of(a, fly(100), b, fly(50)));
        // A wrong total (lower than the leaves add up to) caps what the tree can mint.
        publisher().publish(1, tree.root(), fly(120));

        assertEquals(fly(100), claimer.claim(RELAYER, a, fly(100), tree.proof(a)).amountPaid());
        assertEquals("ExceedsTotalCumulative", claimFails(b, fly(50), tree.proof(b)));
    }

    @Test
    void theContractRefusesToPublishAnEpochTwice() throws IOException {
        CumulativeMerkleTree epoch1 = tree(Map.of(OWNER_A.getAddress(), fly(1)));
        CumulativeMerkleTree other = tree(Map.of(OWNER_A.getAddress(), fly(2)));
        publisher().publish(1, epoch1.root(), epoch1.totalCumulative());
        String republish = distributor().publishRoot(BigInteger.ONE, other.root(), other.totalCumulative()).encodeFunctionCall();

        // Caught in gas estimation, before anything is signed...
        ContractRevertedException estimated = assertThrows(ContractRevertedException.class,
                () -> sender.sendAndWait(new LocalKeyTransactionSigner(PUBLISHER), config.distributorAddress(), republish));
        assertEquals("EpochNotIncreasing", estimated.errorName());
        // ...and by the contract itself when sent anyway.
        TransactionReceipt forced = sendWithoutEstimate(PUBLISHER, config.distributorAddress(), republish);
        assertFalse(forced.isStatusOK());
        assertArrayEquals(epoch1.root(), claimer.currentRoot());

        // Only the publisher role may publish.
        String epoch2 = distributor().publishRoot(BigInteger.TWO, other.root(), other.totalCumulative()).encodeFunctionCall();
        assertEquals("AccessControlUnauthorizedAccount", assertThrows(ContractRevertedException.class,
                () -> sender.sendAndWait(new LocalKeyTransactionSigner(RELAYER), config.distributorAddress(), epoch2)).errorName());
    }

    @Test
    void alreadyPublishedEpochIsReportedWithoutSending() {
        CumulativeMerkleTree tree = tree(Map.of(OWNER_A.getAddress(), fly(1)));
        publisher().publish(1, tree.root(), tree.totalCumulative());
        long nonce = confirmedNonce(PUBLISHER);

        // A publisher whose journal lost the entry (or another publisher) must not send again.
        SettlementReceipt receipt = new RootPublisher(web3j, config, new InMemoryTransactionJournal(), new LocalKeyTransactionSigner(PUBLISHER))
                .publish(1, tree.root(), tree.totalCumulative());

        assertEquals(SettlementReceipt.Outcome.ALREADY_PUBLISHED, receipt.outcome());
        assertNull(receipt.txHash());
        assertEquals(nonce, confirmedNonce(PUBLISHER));
        assertThrows(IllegalStateException.class, () -> new RootPublisher(web3j, config, new InMemoryTransactionJournal(),
                new LocalKeyTransactionSigner(PUBLISHER)).publish(1, tree(Map.of(OWNER_B.getAddress(), fly(1))).root(), fly(1)));
    }

    @Test
    void retryAfterSuccessReturnsTheSameReceiptWithoutASecondTransaction() {
        CumulativeMerkleTree tree = tree(Map.of(OWNER_A.getAddress(), fly(7), OWNER_B.getAddress(), fly(3)));
        long nonceBefore = confirmedNonce(PUBLISHER);

        SettlementReceipt first = publisher().publish(1, tree.root(), tree.totalCumulative());
        SettlementReceipt retry = publisher().publish(1, tree.root(), tree.totalCumulative());

        System.out.println("RewardsDistributor.publishRoot gas used: " + first.gasUsed());
        assertEquals(SettlementReceipt.Outcome.PUBLISHED, first.outcome());
        assertEquals(first, retry);
        assertEquals(nonceBefore + 1, confirmedNonce(PUBLISHER));
        JournaledTransaction entry = journal.find(RootPublisher.intentId(1)).orElseThrow();
        assertEquals(JournaledTransaction.Status.CONFIRMED, entry.status());
        assertEquals(first.txHash(), entry.txHash());
        assertEquals(nonceBefore, entry.nonce());
    }

    @Test
    void crashBetweenJournalAndBroadcastIsRecoveredWithTheSameSignedBytes() {
        CumulativeMerkleTree tree = tree(Map.of(OWNER_A.getAddress(), fly(5)));
        long nonceBefore = confirmedNonce(PUBLISHER);
        TransactionJournal crashesAfterRecording = new DelegatingJournal(journal) {
            @Override
            public boolean record(JournaledTransaction tx) {
                super.record(tx);
                throw new SimulatedCrash();
            }
        };

        assertThrows(SimulatedCrash.class, () -> publisher(crashesAfterRecording).publish(1, tree.root(), tree.totalCumulative()));
        JournaledTransaction signed = journal.find(RootPublisher.intentId(1)).orElseThrow();
        assertEquals(JournaledTransaction.Status.SIGNED, signed.status());
        assertFalse(sender.isKnown(signed.txHash()), "nothing was broadcast before the crash");
        assertEquals(0, claimer.currentEpoch());

        SettlementReceipt recovered = publisher().publish(1, tree.root(), tree.totalCumulative());

        assertEquals(SettlementReceipt.Outcome.PUBLISHED, recovered.outcome());
        assertEquals(signed.txHash(), recovered.txHash(), "the journaled bytes were rebroadcast, not re-signed");
        assertEquals(nonceBefore, signed.nonce());
        assertEquals(nonceBefore + 1, confirmedNonce(PUBLISHER), "exactly one transaction used exactly one nonce");
        assertEquals(1, claimer.currentEpoch());
        assertEquals(JournaledTransaction.Status.CONFIRMED, journal.find(RootPublisher.intentId(1)).orElseThrow().status());
    }

    @Test
    void crashAfterBroadcastBeforeConfirmationIsResumedWithoutResending() {
        CumulativeMerkleTree tree = tree(Map.of(OWNER_A.getAddress(), fly(5)));
        long nonceBefore = confirmedNonce(PUBLISHER);
        TransactionJournal crashesOnConfirm = new DelegatingJournal(journal) {
            @Override
            public void markConfirmed(String intentId, long blockNumber, boolean success) {
                throw new SimulatedCrash();
            }
        };

        assertThrows(SimulatedCrash.class, () -> publisher(crashesOnConfirm).publish(1, tree.root(), tree.totalCumulative()));
        JournaledTransaction sent = journal.find(RootPublisher.intentId(1)).orElseThrow();
        assertEquals(JournaledTransaction.Status.SIGNED, sent.status());

        SettlementReceipt resumed = publisher().publish(1, tree.root(), tree.totalCumulative());

        assertEquals(SettlementReceipt.Outcome.PUBLISHED, resumed.outcome());
        assertEquals(sent.txHash(), resumed.txHash());
        assertEquals(nonceBefore + 1, confirmedNonce(PUBLISHER));
        assertEquals(JournaledTransaction.Status.CONFIRMED, journal.find(RootPublisher.intentId(1)).orElseThrow().status());
    }

    private RootPublisher publisher() {
        return publisher(journal);
    }

    private RootPublisher publisher(TransactionJournal withJournal) {
        return new RootPublisher(web3j, config, withJournal, new LocalKeyTransactionSigner(PUBLISHER));
    }

    private RewardsDistributor distributor() {
        return RewardsDistributor.load(config.distributorAddress(), web3j,
                new ReadonlyTransactionManager(web3j, PUBLISHER.getAddress()), new StaticGasProvider(BigInteger.ZERO, BigInteger.ZERO));
    }

    private String claimFails(String account, BigInteger cumulativeAmount, List<byte[]> proof) {
        return assertThrows(ContractRevertedException.class, () -> claimer.claim(RELAYER, account, cumulativeAmount, proof)).errorName();
    }

    /** Nonce as of the latest block: counts only transactions that were actually mined. */
    private static long confirmedNonce(Credentials account) {
        try {
            return web3j.ethGetTransactionCount(account.getAddress(), DefaultBlockParameterName.LATEST).send()
                    .getTransactionCount().longValueExact();
        } catch (IOException e) {
            throw new ChainException("eth_getTransactionCount failed", e);
        }
    }

    private TransactionReceipt sendWithoutEstimate(Credentials from, String to, String data) throws IOException {
        Eip1559Fees fees = sender.currentFees();
        RawTransaction tx = RawTransaction.createTransaction(config.chainId(), BigInteger.valueOf(sender.pendingNonce(from.getAddress())),
                BigInteger.valueOf(300_000), to, BigInteger.ZERO, data, fees.maxPriorityFeePerGas(), fees.maxFeePerGas());
        String hash = web3j.ethSendRawTransaction(Numeric.toHexString(TransactionEncoder.signMessage(tx, from))).send().getTransactionHash();
        return sender.awaitReceipt(hash);
    }

    private static CumulativeMerkleTree tree(Map<String, BigInteger> cumulative) {
        return CumulativeMerkleTree.of(cumulative.entrySet().stream().map(e -> new RewardLeaf(e.getKey(), e.getValue())).toList());
    }

    private static BigInteger fly(long tokens) {
        return BigInteger.valueOf(tokens).multiply(FLY);
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
