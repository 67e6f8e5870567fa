package dev.flywheel.core.merkle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CumulativeMerkleTreeTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final String ALICE = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";
    private static final String BOB = "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc";
    private static final LeafDomain D = new LeafDomain(80002, "0x5fbdb2315678afecb367f032d93f642f64180aa3");

    /** One tree from openzeppelin-vectors.json (regenerate with node contracts/merkle-vectors.mjs). */
    record Vector(int size, LeafDomain domain, String root, List<RewardLeaf> leaves, List<List<String>> proofs) {
        @Override
        public String toString() {
            return size + " leaves";
        }
    }

    static Stream<Vector> openZeppelinVectors() throws IOException {
        try (InputStream in = CumulativeMerkleTreeTest.class.getResourceAsStream("openzeppelin-vectors.json")) {
            JsonNode cases = new ObjectMapper().readTree(in).get("cases");
            return StreamSupport.stream(cases.spliterator(), false).map(node -> {
                List<RewardLeaf> leaves = new ArrayList<>();
                List<List<String>> proofs = new ArrayList<>();
                for (JsonNode leaf : node.get("leaves")) {
                    leaves.add(new RewardLeaf(leaf.get("account").asText(), new BigInteger(leaf.get("cumulativeAmount").asText())));
                    proofs.add(StreamSupport.stream(leaf.get("proof").spliterator(), false).map(JsonNode::asText).toList());
                }
                return new Vector(node.get("size").asInt(),
                        new LeafDomain(node.get("chainId").asLong(), node.get("distributor").asText()), node.get("root").asText(), leaves, proofs);
            }).toList().stream();
        }
    }

    @Test
    void vectorsCoverTheRequiredSizes() throws IOException {
        assertEquals(List.of(1, 2, 3, 7, 100), openZeppelinVectors().map(Vector::size).toList());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("openZeppelinVectors")
    void rootAndProofsMatchOpenZeppelinStandardMerkleTree(Vector vector) {
        CumulativeMerkleTree tree = CumulativeMerkleTree.of(vector.domain(), vector.leaves());

        assertEquals(vector.size(), tree.size());
        assertEquals(vector.root(), tree.rootHex());
        for (int i = 0; i < vector.leaves().size(); i++) {
            RewardLeaf leaf = vector.leaves().get(i);
            assertEquals(vector.proofs().get(i), tree.proofHex(leaf.account()), "proof of leaf " + i);
            assertTrue(CumulativeMerkleTree.verify(vector.domain(), tree.root(), leaf, tree.proof(leaf.account())), "verify leaf " + i);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("openZeppelinVectors")
    void rootDoesNotDependOnInputOrder(Vector vector) {
        List<RewardLeaf> reversed = new ArrayList<>(vector.leaves());
        Collections.reverse(reversed);
        assertEquals(vector.root(), CumulativeMerkleTree.of(vector.domain(), reversed).rootHex());
    }

    @Test
    void singleLeafIsItsOwnRootWithAnEmptyProof() {
        RewardLeaf leaf = new RewardLeaf(ALICE, BigInteger.TEN);
        CumulativeMerkleTree tree = CumulativeMerkleTree.of(D, List.of(leaf));

        assertArrayEquals(CumulativeMerkleTree.leafHash(D, leaf), tree.root());
        assertEquals(List.of(), tree.proof(ALICE));
        assertTrue(CumulativeMerkleTree.verify(D, tree.root(), leaf, List.of()));
    }

    @Test
    void rejectsWrongAmountWrongAccountAndTamperedProof() {
        CumulativeMerkleTree tree = CumulativeMerkleTree.of(D, List.of(
                new RewardLeaf(ALICE, BigInteger.valueOf(100)), new RewardLeaf(BOB, BigInteger.valueOf(50))));
        List<byte[]> proof = tree.proof(ALICE);

        assertTrue(CumulativeMerkleTree.verify(D, tree.root(), new RewardLeaf(ALICE, BigInteger.valueOf(100)), proof));
        assertFalse(CumulativeMerkleTree.verify(D, tree.root(), new RewardLeaf(ALICE, BigInteger.valueOf(101)), proof));
        assertFalse(CumulativeMerkleTree.verify(D, tree.root(), new RewardLeaf(BOB, BigInteger.valueOf(100)), proof));
        byte[] tampered = proof.get(0).clone();
        tampered[31] ^= 1;
        assertFalse(CumulativeMerkleTree.verify(D, tree.root(), new RewardLeaf(ALICE, BigInteger.valueOf(100)), List.of(tampered)));
        assertFalse(CumulativeMerkleTree.verify(D, tree.root(), new RewardLeaf(ALICE, BigInteger.valueOf(100)), List.of(new byte[31])));
    }

    @Test
    void leavesAreBoundToChainAndDistributor() {
        RewardLeaf leaf = new RewardLeaf(ALICE, BigInteger.TEN);
        CumulativeMerkleTree tree = CumulativeMerkleTree.of(D, List.of(leaf, new RewardLeaf(BOB, BigInteger.ONE)));
        List<byte[]> proof = tree.proof(ALICE);

        assertTrue(CumulativeMerkleTree.verify(D, tree.root(), leaf, proof));
        assertFalse(CumulativeMerkleTree.verify(new LeafDomain(137, D.distributor()), tree.root(), leaf, proof), "other chain");
        assertFalse(CumulativeMerkleTree.verify(new LeafDomain(D.chainId(), BOB), tree.root(), leaf, proof), "other distributor");
        assertEquals(D, tree.domain());
    }

    @Test
    void accountsAreCaseInsensitiveAndStoredLowerCase() {
        RewardLeaf checksummed = new RewardLeaf("0x70997970C51812dc3A010C7d01b50e0d17dc79C8", BigInteger.ONE);
        assertEquals(ALICE, checksummed.account());

        CumulativeMerkleTree tree = CumulativeMerkleTree.of(D, List.of(checksummed, new RewardLeaf(BOB, BigInteger.TWO)));
        assertEquals(tree.proofHex(ALICE), tree.proofHex(ALICE.toUpperCase(Locale.ROOT).replace("0X", "0x")));
        assertEquals(checksummed, tree.leaf(ALICE).orElseThrow());
        assertEquals(BigInteger.valueOf(3), tree.totalCumulative());
    }

    @Test
    void rejectsInvalidInput() {
        assertThrows(IllegalArgumentException.class, () -> CumulativeMerkleTree.of(D, List.of()));
        assertThrows(IllegalArgumentException.class, () -> CumulativeMerkleTree.of(D, List.of(
                new RewardLeaf(ALICE, BigInteger.ONE), new RewardLeaf(ALICE.toUpperCase(Locale.ROOT).replace("0X", "0x"), BigInteger.TWO))));
        assertThrows(IllegalArgumentException.class, () -> new RewardLeaf(ALICE, BigInteger.valueOf(-1)));
        assertThrows(IllegalArgumentException.class, () -> new RewardLeaf(ALICE, BigInteger.ONE.shiftLeft(256)));
        assertThrows(IllegalArgumentException.class, () -> new RewardLeaf("0x1234", BigInteger.ONE));
        assertThrows(IllegalArgumentException.class, () -> new RewardLeaf(ALICE.substring(2) + "00", BigInteger.ONE));

        CumulativeMerkleTree tree = CumulativeMerkleTree.of(D, List.of(new RewardLeaf(ALICE, BigInteger.ONE)));
        assertThrows(NoSuchElementException.class, () -> tree.proof(BOB));
        assertTrue(tree.leaf(BOB).isEmpty());
    }

    @Test
    void returnedHashesCannotChangeTheTree() {
        CumulativeMerkleTree tree = CumulativeMerkleTree.of(D, List.of(
                new RewardLeaf(ALICE, BigInteger.ONE), new RewardLeaf(BOB, BigInteger.TWO)));
        String root = tree.rootHex();
        tree.root()[0] ^= 1;
        tree.proof(ALICE).get(0)[0] ^= 1;
        assertEquals(root, tree.rootHex());
        assertTrue(CumulativeMerkleTree.verify(D, tree.root(), tree.leaf(BOB).orElseThrow(), tree.proof(BOB)));
    }

    @Test
    void buildsAndProvesAHundredThousandLeaves() {
        List<RewardLeaf> leaves = new ArrayList<>(100_000);
        for (int i = 0; i < 100_000; i++) {
            leaves.add(new RewardLeaf(String.format("0x%040x", i + 1L), BigInteger.valueOf(i).multiply(BigInteger.TEN.pow(15))));
        }
        CumulativeMerkleTree.of(D, leaves); // warm-up: the first run includes JIT compilation

        long start = System.nanoTime();
        CumulativeMerkleTree tree = CumulativeMerkleTree.of(D, leaves);
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.println("CumulativeMerkleTree: 100000 leaves built in " + millis + " ms");

        assertEquals(100_000, tree.size());
        RewardLeaf probe = leaves.get(54_321);
        List<byte[]> proof = tree.proof(probe.account());
        // 2n-1 nodes in a flat array: leaves sit 16 or 17 levels deep for 2^16 < n <= 2^17.
        assertTrue(proof.size() == 16 || proof.size() == 17, "proof length " + proof.size());
        assertTrue(CumulativeMerkleTree.verify(D, tree.root(), probe, proof));
        // The time is printed, not asserted: a wall-clock bound fails on a loaded machine (speed goals live in benchmarks).
    }
}
