package dev.flywheel.core.merkle;

import java.util.Objects;

/**
 * What a reward leaf is bound to: the chain and the distributor contract that verify it. A tree
 * built for one domain proves nothing on another chain or another distributor, so the same tree
 * published twice cannot pay an owner twice.
 *
 * @param chainId EIP-155 chain id (137 Polygon, 80002 Amoy, the devnet's Anvil id)
 * @param distributor RewardsDistributor address, normalised to lower case
 */
public record LeafDomain(long chainId, String distributor) {

    public LeafDomain {
        Objects.requireNonNull(distributor, "distributor");
        if (chainId <= 0) {
            throw new IllegalArgumentException("chainId must be positive: " + chainId);
        }
        distributor = RewardLeaf.normaliseAccount(distributor);
    }
}
