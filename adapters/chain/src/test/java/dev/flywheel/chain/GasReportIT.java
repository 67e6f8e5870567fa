package dev.flywheel.chain;

import dev.flywheel.core.merkle.CumulativeMerkleTree;
import dev.flywheel.core.merkle.LeafDomain;
import dev.flywheel.core.merkle.RewardLeaf;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.utils.Numeric;

import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.flywheel.chain.AnvilChain.OWNER_A;
import static dev.flywheel.chain.AnvilChain.PUBLISHER;
import static dev.flywheel.chain.AnvilChain.RELAYER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The gas report of issue 7, in one Anvil run: root publication, activation (a separate, optional
 * call when a delay is configured), a new holder's first claim and a repeat claim, for trees of 10,
 * 1,000 and 100,000 owners (built in Java). Goals: publication constant and <= 60k, repeat claim
 * <= 55k at 1,000 owners, first claim <= 80k.
 */
class GasReportIT {
    private static final byte[] MANIFEST = Numeric.hexStringToByteArray("0x" + "ef".repeat(32));
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

    record Row(int owners, long firstPublish, long steadyPublish, long firstClaim, long repeatClaim, int proofLength, long release) {
    }

    @Test
    void gasReport() throws Exception {
        List<Row> rows = new ArrayList<>();
        for (int owners : List.of(10, 1_000, 100_000)) {
            rows.add(measure(owners));
        }
        long[] activation = measureActivation();

        System.out.println("GAS REPORT RewardsDistributor (Anvil, chain " + anvil.network.chainId() + ")");
        System.out.printf("  %-8s %-14s %-15s %-12s %-13s %s%n", "owners", "publish first", "publish steady", "first claim",
                "repeat claim", "proof length");
        for (Row r : rows) {
            System.out.printf("  %-8d %-14d %-15d %-12d %-13d %d%n", r.owners(), r.firstPublish(), r.steadyPublish(),
                    r.firstClaim(), r.repeatClaim(), r.proofLength());
        }
        System.out.printf("  release() (first, fresh contract): %d%n", rows.get(0).release());
        System.out.printf("  with a 2 s activation delay: publish (pending) %d, activate() %d (optional: claims use a due root without it)%n",
                activation[0], activation[1]);

        // Publication is constant in the tree size; claims grow only with the proof (calldata + hashing).
        // (up to a few dozen gas apart: zero bytes of root and total cost 4 gas instead of 16)
        var steady = rows.stream().mapToLong(Row::steadyPublish).summaryStatistics();
        assertTrue(steady.getMax() - steady.getMin() <= 200, "steady publication depends on the tree size: " + steady);
        assertTrue(activation[0] <= 60_000, "publication with a delay " + activation[0]);
        Row thousand = rows.get(1);
        assertTrue(thousand.steadyPublish() <= 60_000, "publication " + thousand.steadyPublish());
        assertTrue(thousand.repeatClaim() <= 55_000, "repeat claim at 1,000 owners " + thousand.repeatClaim());
        assertTrue(thousand.firstClaim() <= 80_000, "first claim at 1,000 owners " + thousand.firstClaim());
    }

    private Row measure(int owners) {
        ChainConfig config = anvil.deploy(AnvilChain.plan(Duration.ZERO));
        LeafDomain domain = anvil.domain(config);
        String a = OWNER_A.getAddress().toLowerCase();
        RewardsClaimer claimer = new RewardsClaimer(anvil.web3j, config);
        TransactionSender sender = new TransactionSender(anvil.web3j, config);
        var publisher = new LocalKeyTransactionSigner(PUBLISHER);

        CumulativeMerkleTree first = tree(domain, owners, a, AnvilChain.fly(1));
        long firstPublish = publish(sender, publisher, config, 10, first).getGasUsed().longValueExact();
        // Released tokens sit in the distributor before claims (the settler or anyone calls release()
        // each epoch; a claim that finds the balance short releases by itself, once, at mint cost).
        long release = sender.sendAndWait(new LocalKeyTransactionSigner(RELAYER), config.distributorAddress(),
                anvil.distributor(config).release().encodeFunctionCall()).getGasUsed().longValueExact();
        long firstClaim = claimer.claim(RELAYER, a, AnvilChain.fly(1), first.proof(a)).receipt().getGasUsed().longValueExact();

        // Epoch 11 fills the second root slot once; from epoch 12 on every publication costs the same.
        publish(sender, publisher, config, 11, tree(domain, owners, a, AnvilChain.fly(1)));
        CumulativeMerkleTree second = tree(domain, owners, a, AnvilChain.fly(2));
        long steadyPublish = publish(sender, publisher, config, 12, second).getGasUsed().longValueExact();
        long repeatClaim = claimer.claim(RELAYER, a, AnvilChain.fly(2), second.proof(a)).receipt().getGasUsed().longValueExact();
        assertEquals(AnvilChain.fly(2), claimer.tokenBalance(a));
        return new Row(owners, firstPublish, steadyPublish, firstClaim, repeatClaim, second.proof(a).size(), release);
    }

    private long[] measureActivation() throws InterruptedException {
        ChainConfig config = anvil.deploy(AnvilChain.plan(Duration.ofSeconds(2)));
        LeafDomain domain = anvil.domain(config);
        TransactionSender sender = new TransactionSender(anvil.web3j, config);
        var publisher = new LocalKeyTransactionSigner(PUBLISHER);
        RewardsClaimer claimer = new RewardsClaimer(anvil.web3j, config);
        publish(sender, publisher, config, 10, tree(domain, 10, OWNER_A.getAddress(), BigInteger.ONE));
        awaitDue(claimer);
        publish(sender, publisher, config, 11, tree(domain, 10, OWNER_A.getAddress(), BigInteger.TWO));
        awaitDue(claimer);
        // Steady state: a publication promotes the due root and leaves its own pending.
        long pending = publish(sender, publisher, config, 12, tree(domain, 10, OWNER_A.getAddress(), BigInteger.valueOf(3)))
                .getGasUsed().longValueExact();
        awaitDue(claimer);
        long activate = sender.sendAndWait(new LocalKeyTransactionSigner(RELAYER), config.distributorAddress(),
                anvil.distributor(config).activate().encodeFunctionCall()).getGasUsed().longValueExact();
        return new long[] {pending, activate};
    }

    private static void awaitDue(RewardsClaimer claimer) throws InterruptedException {
        for (int i = 0; i < 40 && claimer.state().hasPending(); i++) {
            Thread.sleep(250);
            anvil.mine();
        }
    }

    private static TransactionReceipt publish(TransactionSender sender, LocalKeyTransactionSigner publisher, ChainConfig config,
                                              long epoch, CumulativeMerkleTree tree) {
        return sender.sendAndWait(publisher, config.distributorAddress(), anvil.distributor(config)
                .publishRoot(BigInteger.valueOf(epoch), tree.root(), tree.totalCumulative(), MANIFEST).encodeFunctionCall());
    }

    /** {@code owners} leaves: {@code probe} with {@code probeAmount}, the rest deterministic addresses with 1 FLY-wei each. */
    private static CumulativeMerkleTree tree(LeafDomain domain, int owners, String probe, BigInteger probeAmount) {
        Map<String, BigInteger> cumulative = new LinkedHashMap<>();
        cumulative.put(probe.toLowerCase(), probeAmount);
        for (int i = 1; i < owners; i++) {
            cumulative.put(String.format("0x%040x", 0x1000L + i), BigInteger.valueOf(i));
        }
        return CumulativeMerkleTree.of(domain, cumulative.entrySet().stream().map(e -> new RewardLeaf(e.getKey(), e.getValue())).toList());
    }
}
