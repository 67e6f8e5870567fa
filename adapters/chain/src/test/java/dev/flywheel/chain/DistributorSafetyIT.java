package dev.flywheel.chain;

import dev.flywheel.chain.contracts.RewardsDistributor;
import dev.flywheel.core.merkle.CumulativeMerkleTree;
import dev.flywheel.core.merkle.LeafDomain;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.utils.Numeric;

import java.math.BigInteger;
import java.time.Duration;
import java.util.Map;

import static dev.flywheel.chain.AnvilChain.DEPLOYER;
import static dev.flywheel.chain.AnvilChain.EMISSION;
import static dev.flywheel.chain.AnvilChain.GOVERNOR;
import static dev.flywheel.chain.AnvilChain.GUARDIAN;
import static dev.flywheel.chain.AnvilChain.OWNER_A;
import static dev.flywheel.chain.AnvilChain.OWNER_B;
import static dev.flywheel.chain.AnvilChain.PUBLISHER;
import static dev.flywheel.chain.AnvilChain.RELAYER;
import static dev.flywheel.chain.AnvilChain.fly;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The audit's attacks (issue 7), each replayed on Anvil against the new contracts and shown to fail,
 * plus the delay window, the veto, pause and the correction path.
 */
class DistributorSafetyIT {
    private static final byte[] MANIFEST = Numeric.hexStringToByteArray("0x" + "cd".repeat(32));
    private static final BigInteger TWO_POW_255 = BigInteger.ONE.shiftLeft(255);
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

    @Test
    void aRootDeclaringTwoToThe255IsRefusedAndALeafOfTwoToThe255PaysNothingBeyondTheSchedule() throws Exception {
        ChainConfig config = anvil.deploy(AnvilChain.plan(Duration.ZERO));
        LeafDomain domain = anvil.domain(config);
        String a = OWNER_A.getAddress();
        CumulativeMerkleTree huge = AnvilChain.tree(domain, Map.of(a, TWO_POW_255));

        assertEquals("TotalAboveSchedule", send(config, PUBLISHER, publish(config, 5, huge.root(), TWO_POW_255)));

        // The same tree under a small declared total: the root goes through (totals are not summed on
        // chain), but a claim can only move released tokens, and the schedule bounds those.
        send(config, PUBLISHER, publish(config, 5, huge.root(), fly(1)));
        String claim = anvil.distributor(config).claim(a, TWO_POW_255, huge.proof(a)).encodeFunctionCall();
        assertEquals("AmountTooLarge", send(config, RELAYER, claim));
        RewardsDistributor distributor = anvil.distributor(config);
        assertEquals(BigInteger.ZERO, distributor.balanceOf(a).send());

        // A leaf that fits the packed balance but exceeds everything the schedule has released
        // (1,000 ended epochs x 1,000 FLY) finds the distributor's balance short, even after release().
        String b = OWNER_B.getAddress();
        BigInteger beyondSchedule = EMISSION.multiply(BigInteger.valueOf(1_001));
        CumulativeMerkleTree greedy = AnvilChain.tree(domain, Map.of(b, beyondSchedule));
        send(config, PUBLISHER, publish(config, 6, greedy.root(), fly(1)));
        assertEquals("ERC20InsufficientBalance", send(config, RELAYER,
                distributor.claim(b, beyondSchedule, greedy.proof(b)).encodeFunctionCall()));
        assertEquals(BigInteger.ZERO, distributor.balanceOf(b).send());
        assertTrue(distributor.totalSupply().send().compareTo(distributor.scheduledBy(now()).send()) <= 0);
    }

    @Test
    void anInflatedTotalBlocksHonestRootsUntilTheTimelockedAdminCorrectsIt() {
        ChainConfig config = anvil.deploy(AnvilChain.plan(Duration.ZERO));
        LeafDomain domain = anvil.domain(config);
        String a = OWNER_A.getAddress();
        String b = OWNER_B.getAddress();
        // Epoch 3 goes out with its total inflated to the whole schedule (4 epochs); the tree pays A 100.
        CumulativeMerkleTree inflated = AnvilChain.tree(domain, Map.of(a, fly(100)));
        send(config, PUBLISHER, publish(config, 3, inflated.root(), EMISSION.multiply(BigInteger.valueOf(4))));
        assertEquals("TotalAboveSchedule", send(config, PUBLISHER,
                publish(config, 4, inflated.root(), EMISSION.multiply(BigInteger.valueOf(5)).add(BigInteger.ONE))));
        new RewardsClaimer(anvil.web3j, config).claim(RELAYER, a, fly(100), inflated.proof(a));

        // The honest epoch-4 root has a lower total: the publisher cannot lower it.
        CumulativeMerkleTree honest = AnvilChain.tree(domain, Map.of(a, fly(80), b, fly(20)));
        assertEquals("TotalCumulativeDecreased", send(config, PUBLISHER, publish(config, 4, honest.root(), fly(100))));
        // The publisher cannot use the correction path...
        String correct = anvil.distributor(config).correctRoot(BigInteger.valueOf(4), honest.root(), fly(100), MANIFEST).encodeFunctionCall();
        assertEquals("AccessControlUnauthorizedAccount", send(config, PUBLISHER, correct));
        // ...the timelocked admin can, with a lower total.
        anvil.throughTimelock(config, correct);
        RewardsClaimer claimer = new RewardsClaimer(anvil.web3j, config);
        assertArrayEquals(honest.root(), claimer.currentRoot());
        assertEquals(fly(100), claimer.state().activeTotal());

        // A already claimed 100 > its corrected 80: it keeps them and gets NothingToClaim until its leaf passes 100.
        assertEquals("NothingToClaim", send(config, RELAYER, anvil.distributor(config).claim(a, fly(80), honest.proof(a)).encodeFunctionCall()));
        assertEquals(fly(20), claimer.claim(RELAYER, b, fly(20), honest.proof(b)).amountPaid());
        // Publication resumes above the corrected root.
        CumulativeMerkleTree next = AnvilChain.tree(domain, Map.of(a, fly(130), b, fly(20)));
        send(config, PUBLISHER, publish(config, 5, next.root(), fly(150)));
        assertEquals(fly(30), claimer.claim(RELAYER, a, fly(130), next.proof(a)).amountPaid());
    }

    @Test
    void epochTwoToThe64MinusOneIsRefusedBecauseItHasNotEnded() {
        ChainConfig config = anvil.deploy(AnvilChain.plan(Duration.ZERO));
        CumulativeMerkleTree tree = AnvilChain.tree(anvil.domain(config), Map.of(OWNER_A.getAddress(), fly(1)));
        BigInteger maxEpoch = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
        String far = anvil.distributor(config).publishRoot(maxEpoch, tree.root(), fly(1), MANIFEST).encodeFunctionCall();

        assertEquals("EpochNotEnded", send(config, PUBLISHER, far));
        // The epoch running now has not ended either; the one before has.
        assertEquals("EpochNotEnded", send(config, PUBLISHER, publish(config, 1_000, tree.root(), fly(1))));
        send(config, PUBLISHER, publish(config, 998, tree.root(), fly(1)));
        assertEquals(998, new RewardsClaimer(anvil.web3j, config).currentEpoch());
    }

    @Test
    void noKeyCanMintTheDeployerHoldsNoRoleAndReleaseFollowsTheSchedule() throws Exception {
        ChainConfig config = anvil.deploy(AnvilChain.plan(Duration.ZERO));
        RewardsDistributor distributor = anvil.distributor(config);
        byte[] publisherRole = distributor.ROOT_PUBLISHER_ROLE().send();
        byte[] admin = distributor.DEFAULT_ADMIN_ROLE().send();

        // The old attack: the deployer grants itself a minting role. It has no role to grant from...
        assertEquals("AccessControlUnauthorizedAccount", send(config, DEPLOYER,
                distributor.grantRole(publisherRole, DEPLOYER.getAddress()).encodeFunctionCall()));
        assertEquals("AccessControlUnauthorizedAccount", send(config, DEPLOYER,
                distributor.grantRole(admin, DEPLOYER.getAddress()).encodeFunctionCall()));
        // ...and there is no mint at all: the old selector mint(address,uint256) hits no function.
        String mint = org.web3j.abi.FunctionEncoder.encode(new org.web3j.abi.datatypes.Function("mint",
                java.util.List.of(new org.web3j.abi.datatypes.Address(DEPLOYER.getAddress()), new org.web3j.abi.datatypes.generated.Uint256(TWO_POW_255)),
                java.util.List.of()));
        assertThrows(ContractRevertedException.class, () -> new TransactionSender(anvil.web3j, config)
                .sendAndWait(new LocalKeyTransactionSigner(DEPLOYER), config.distributorAddress(), mint));

        // Even the timelocked admin, granting itself the publisher role, cannot get past the schedule.
        anvil.throughTimelock(config, distributor.grantRole(publisherRole, GOVERNOR.getAddress()).encodeFunctionCall());
        CumulativeMerkleTree grab = AnvilChain.tree(anvil.domain(config), Map.of(GOVERNOR.getAddress(), TWO_POW_255));
        assertEquals("TotalAboveSchedule", send(config, GOVERNOR, publish(config, 998, grab.root(), TWO_POW_255)));

        // release(): anyone, and only what the ended epochs scheduled; a second call releases nothing.
        var sender = new TransactionSender(anvil.web3j, config);
        sender.sendAndWait(new LocalKeyTransactionSigner(RELAYER), config.distributorAddress(), distributor.release().encodeFunctionCall());
        BigInteger supply = distributor.totalSupply().send();
        assertEquals(distributor.scheduledBy(now()).send(), supply);
        assertEquals(EMISSION.multiply(BigInteger.valueOf(1_000)), supply, "epochs 0..999 have ended");
        assertEquals(supply, distributor.balanceOf(config.distributorAddress()).send(), "released tokens sit in the distributor");
        sender.sendAndWait(new LocalKeyTransactionSigner(RELAYER), config.distributorAddress(), distributor.release().encodeFunctionCall());
        assertEquals(supply, distributor.totalSupply().send());
    }

    @Test
    void theSameTreeOnASecondDistributorPaysNothing() {
        ChainConfig first = anvil.deploy(AnvilChain.plan(Duration.ZERO));
        ChainConfig second = anvil.deploy(AnvilChain.plan(Duration.ZERO));
        String a = OWNER_A.getAddress();
        CumulativeMerkleTree tree = AnvilChain.tree(anvil.domain(first), Map.of(a, fly(100), OWNER_B.getAddress(), fly(5)));
        send(first, PUBLISHER, publish(first, 10, tree.root(), fly(105)));
        send(second, PUBLISHER, publish(second, 10, tree.root(), fly(105)));

        assertEquals(fly(100), new RewardsClaimer(anvil.web3j, first).claim(RELAYER, a, fly(100), tree.proof(a)).amountPaid());
        assertEquals("InvalidProof", send(second, RELAYER, anvil.distributor(second).claim(a, fly(100), tree.proof(a)).encodeFunctionCall()));
    }

    @Test
    void aPendingRootWaitsThePreviousStaysClaimableAndTheGuardianCanVetoAndPause() throws Exception {
        ChainConfig config = anvil.deploy(AnvilChain.plan(Duration.ofSeconds(3)));
        LeafDomain domain = anvil.domain(config);
        RewardsClaimer claimer = new RewardsClaimer(anvil.web3j, config);
        String a = OWNER_A.getAddress();
        String b = OWNER_B.getAddress();
        CumulativeMerkleTree first = AnvilChain.tree(domain, Map.of(a, fly(10), b, fly(10)));
        send(config, PUBLISHER, publish(config, 5, first.root(), fly(20)));
        assertEquals("NoActiveRoot", send(config, RELAYER, anvil.distributor(config).claim(a, fly(10), first.proof(a)).encodeFunctionCall()),
                "nothing is claimable before the first root activates");
        awaitActivation(claimer);
        assertArrayEquals(first.root(), claimer.currentRoot());

        // Epoch 6 pending: claims in flight against epoch 5 still succeed; the new proof does not yet.
        CumulativeMerkleTree second = AnvilChain.tree(domain, Map.of(a, fly(25), b, fly(15)));
        send(config, PUBLISHER, publish(config, 6, second.root(), fly(40)));
        assertTrue(claimer.state().hasPending());
        assertEquals("InvalidProof", send(config, RELAYER, anvil.distributor(config).claim(a, fly(25), second.proof(a)).encodeFunctionCall()));
        assertEquals(fly(10), claimer.claim(RELAYER, a, fly(10), first.proof(a)).amountPaid());
        awaitActivation(claimer);
        assertEquals(fly(15), claimer.claim(RELAYER, a, fly(25), second.proof(a)).amountPaid());

        // Epoch 7 pending, vetoed by the guardian (only by the guardian): it never becomes claimable.
        CumulativeMerkleTree vetoed = AnvilChain.tree(domain, Map.of(a, fly(1_000)));
        send(config, PUBLISHER, publish(config, 7, vetoed.root(), fly(1_000)));
        String veto = anvil.distributor(config).vetoPendingRoot().encodeFunctionCall();
        assertEquals("AccessControlUnauthorizedAccount", send(config, PUBLISHER, veto));
        send(config, GUARDIAN, veto);
        Thread.sleep(3_500);
        anvil.mine();
        assertArrayEquals(second.root(), claimer.currentRoot());
        assertEquals("InvalidProof", send(config, RELAYER, anvil.distributor(config).claim(a, fly(1_000), vetoed.proof(a)).encodeFunctionCall()));

        // Pause stops claims with a named error; unpause restores them.
        String pause = anvil.distributor(config).pause().encodeFunctionCall();
        assertEquals("AccessControlUnauthorizedAccount", send(config, RELAYER, pause));
        send(config, GUARDIAN, pause);
        assertEquals("ClaimsPaused", send(config, RELAYER, anvil.distributor(config).claim(b, fly(15), second.proof(b)).encodeFunctionCall()));
        send(config, GUARDIAN, anvil.distributor(config).unpause().encodeFunctionCall());
        assertEquals(fly(15), claimer.claim(RELAYER, b, fly(15), second.proof(b)).amountPaid());
        assertEquals("NothingToClaim", send(config, RELAYER, anvil.distributor(config).claim(b, fly(15), second.proof(b)).encodeFunctionCall()));
    }

    private static void awaitActivation(RewardsClaimer claimer) throws InterruptedException {
        for (int i = 0; i < 40 && claimer.state().hasPending(); i++) {
            Thread.sleep(250);
            anvil.mine();
        }
        assertFalse(claimer.state().hasPending(), "root did not activate");
    }

    private static String publish(ChainConfig config, long epoch, byte[] root, BigInteger total) {
        return anvil.distributor(config).publishRoot(BigInteger.valueOf(epoch), root, total, MANIFEST).encodeFunctionCall();
    }

    /** Sends {@code data} to the distributor; returns null if mined successfully, else the named error it reverted with. */
    private static String send(ChainConfig config, Credentials from, String data) {
        try {
            new TransactionSender(anvil.web3j, config).sendAndWait(new LocalKeyTransactionSigner(from), config.distributorAddress(), data);
            return null;
        } catch (ContractRevertedException e) {
            return e.errorName();
        }
    }

    private static BigInteger now() {
        return BigInteger.valueOf(java.time.Instant.now().getEpochSecond());
    }
}
