package dev.flywheel.core.merkle;

import dev.flywheel.core.crypto.Keccak256;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.IntStream;

/**
 * Merkle tree over {@link RewardLeaf}s, byte-for-byte the same as OpenZeppelin's JS
 * {@code StandardMerkleTree.of(values, ["uint256", "address", "address", "uint256"])} with values
 * {@code [chainId, distributor, account, cumulativeAmount]}, which is what RewardsDistributor verifies
 * with {@code MerkleProof}:
 * <ul>
 *   <li>leaf = keccak256(keccak256(abi.encode(chainId, distributor, account, cumulativeAmount))), hashed
 *       twice so a leaf can never be mistaken for an inner node (second-preimage protection), and bound
 *       to one chain and one distributor ({@link LeafDomain});</li>
 *   <li>inner node = keccak256 of its two children in ascending byte order (no left/right in proofs);</li>
 *   <li>leaves sorted by hash, stored at the end of a flat array, the root at index 0, children of
 *       node i at 2i+1 and 2i+2. This layout fixes the proofs too, so they match OpenZeppelin's.</li>
 * </ul>
 * Immutable; built in O(n log n) for the sort and n-1 hashes for the inner nodes.
 */
public final class CumulativeMerkleTree {
    private static final HexFormat HEX = HexFormat.of();

    private final LeafDomain domain;
    private final byte[][] nodes;
    private final Map<String, Integer> nodeIndexByAccount;
    private final Map<String, RewardLeaf> leafByAccount;
    private final BigInteger totalCumulative;

    private CumulativeMerkleTree(LeafDomain domain, byte[][] nodes, Map<String, Integer> nodeIndexByAccount,
                                 Map<String, RewardLeaf> leafByAccount, BigInteger totalCumulative) {
        this.domain = domain;
        this.nodes = nodes;
        this.nodeIndexByAccount = nodeIndexByAccount;
        this.leafByAccount = leafByAccount;
        this.totalCumulative = totalCumulative;
    }

    /**
     * Builds the tree. Rejects an empty collection (no root exists; OpenZeppelin refuses too) and
     * two leaves for one account (the contract keeps one claimed total per account).
     */
    public static CumulativeMerkleTree of(LeafDomain domain, Collection<RewardLeaf> leaves) {
        Objects.requireNonNull(domain, "domain");
        if (leaves.isEmpty()) {
            throw new IllegalArgumentException("a Merkle tree needs at least one leaf");
        }
        int count = leaves.size();
        Map<String, RewardLeaf> leafByAccount = HashMap.newHashMap(count);
        RewardLeaf[] leafArray = leaves.toArray(new RewardLeaf[0]);
        BigInteger total = BigInteger.ZERO;
        for (RewardLeaf leaf : leafArray) {
            if (leafByAccount.putIfAbsent(leaf.account(), leaf) != null) {
                throw new IllegalArgumentException("duplicate account in reward leaves: " + leaf.account());
            }
            total = total.add(leaf.cumulativeAmount());
        }
        // Leaves and each level of inner nodes are hashed in parallel: every hash lands in its own slot, and the
        // sort by hash fixes the order, so the tree does not depend on the threads.
        byte[] prefix = domainPrefix(domain);
        HashedLeaf[] hashed = new HashedLeaf[count];
        IntStream.range(0, count).parallel()
                .forEach(i -> hashed[i] = new HashedLeaf(leafArray[i].account(), leafHash(prefix, leafArray[i])));
        // Unsigned byte order, by the first eight bytes as an unsigned long first (the same order, fewer compares).
        Arrays.parallelSort(hashed, (a, b) -> {
            int c = Long.compareUnsigned(a.prefix, b.prefix);
            return c != 0 ? c : Arrays.compareUnsigned(a.hash, b.hash);
        });

        byte[][] nodes = new byte[2 * count - 1][];
        Map<String, Integer> nodeIndexByAccount = HashMap.newHashMap(count);
        for (int leafIndex = 0; leafIndex < count; leafIndex++) {
            int nodeIndex = nodes.length - 1 - leafIndex;
            nodes[nodeIndex] = hashed[leafIndex].hash;
            nodeIndexByAccount.put(hashed[leafIndex].account, nodeIndex);
        }
        // Inner nodes are 0 .. count - 2; those at one depth (2^d - 1 .. 2^(d+1) - 2) need only the depth below.
        int lastInner = nodes.length - 1 - count;
        for (int depth = 31 - Integer.numberOfLeadingZeros(Math.max(1, lastInner + 1)); depth >= 0 && lastInner >= 0; depth--) {
            int from = (1 << depth) - 1;
            int to = Math.min(lastInner, (1 << (depth + 1)) - 2);
            IntStream range = IntStream.rangeClosed(from, to);
            (to - from >= 1024 ? range.parallel() : range).forEach(node -> nodes[node] = hashPair(nodes[2 * node + 1], nodes[2 * node + 2]));
        }
        return new CumulativeMerkleTree(domain, nodes, nodeIndexByAccount, leafByAccount, total);
    }

    /** keccak256(keccak256(abi.encode(uint256 chainId, address distributor, address account, uint256 cumulativeAmount))). */
    public static byte[] leafHash(LeafDomain domain, RewardLeaf leaf) {
        return leafHash(domainPrefix(domain), leaf);
    }

    /** The first 64 bytes of every leaf's encoding in a domain: chainId and distributor. */
    private static byte[] domainPrefix(LeafDomain domain) {
        byte[] prefix = new byte[64];
        putUint256(prefix, 0, BigInteger.valueOf(domain.chainId()));
        System.arraycopy(HEX.parseHex(domain.distributor(), 2, 42), 0, prefix, 32 + 12, 20);
        return prefix;
    }

    private static byte[] leafHash(byte[] prefix, RewardLeaf leaf) {
        byte[] encoded = new byte[128];
        System.arraycopy(prefix, 0, encoded, 0, 64);
        System.arraycopy(HEX.parseHex(leaf.account(), 2, 42), 0, encoded, 64 + 12, 20);
        putUint256(encoded, 96, leaf.cumulativeAmount());
        return Keccak256.hash(Keccak256.hash(encoded));
    }

    private static void putUint256(byte[] target, int offset, BigInteger value) {
        byte[] bytes = value.toByteArray();
        // toByteArray may carry a leading sign byte (0x00) for values with the top bit set.
        int length = Math.min(bytes.length, 32);
        System.arraycopy(bytes, bytes.length - length, target, offset + 32 - length, length);
    }

    /** Checks a proof the way OpenZeppelin's MerkleProof.verify does on chain. */
    public static boolean verify(LeafDomain domain, byte[] root, RewardLeaf leaf, List<byte[]> proof) {
        byte[] computed = leafHash(domain, leaf);
        for (byte[] sibling : proof) {
            if (sibling.length != 32) {
                return false;
            }
            computed = hashPair(computed, sibling);
        }
        return Arrays.equals(computed, root);
    }

    /** The chain and distributor every leaf of this tree is bound to. */
    public LeafDomain domain() {
        return domain;
    }

    public byte[] root() {
        return nodes[0].clone();
    }

    public String rootHex() {
        return hex(nodes[0]);
    }

    /** Number of leaves (accounts). */
    public int size() {
        return leafByAccount.size();
    }

    /** Sum of all cumulative amounts: what RewardsDistributor.publishRoot takes as its payout cap. */
    public BigInteger totalCumulative() {
        return totalCumulative;
    }

    /** The leaf for {@code account} (any letter case), if the account is in the tree. */
    public Optional<RewardLeaf> leaf(String account) {
        return Optional.ofNullable(leafByAccount.get(RewardLeaf.normaliseAccount(account)));
    }

    /**
     * Sibling hashes from the leaf up to (not including) the root; empty for a single-leaf tree.
     *
     * @throws NoSuchElementException if the account has no leaf
     */
    public List<byte[]> proof(String account) {
        String normalised = RewardLeaf.normaliseAccount(account);
        Integer index = nodeIndexByAccount.get(normalised);
        if (index == null) {
            throw new NoSuchElementException("account not in the tree: " + normalised);
        }
        int depth = 32 - Integer.numberOfLeadingZeros(index + 1) - 1;
        byte[][] proof = new byte[depth][];
        for (int level = 0, node = index; node > 0; level++, node = (node - 1) / 2) {
            int sibling = node % 2 == 1 ? node + 1 : node - 1;
            proof[level] = nodes[sibling].clone();
        }
        return List.of(proof);
    }

    /** {@link #proof(String)} as 0x-prefixed hex strings, the form wallets and the claims API pass on. */
    public List<String> proofHex(String account) {
        return proof(account).stream().map(CumulativeMerkleTree::hex).toList();
    }

    private static byte[] hashPair(byte[] a, byte[] b) {
        return Arrays.compareUnsigned(a, b) <= 0 ? Keccak256.hash(a, b) : Keccak256.hash(b, a);
    }

    private static String hex(byte[] bytes) {
        return "0x" + HEX.formatHex(bytes);
    }

    private record HashedLeaf(String account, byte[] hash, long prefix) {
        HashedLeaf(String account, byte[] hash) {
            this(account, hash, (long) PREFIX.get(hash, 0));
        }
    }

    private static final java.lang.invoke.VarHandle PREFIX =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.BIG_ENDIAN);
}
