package dev.flywheel.core.claims;

import java.math.BigInteger;
import java.util.List;
import java.util.Optional;

/** Port: an owner's leaf under one epoch's root, read by owner (never the epoch's whole reward set). */
@FunctionalInterface
public interface OwnerClaims {

    Optional<OwnerLeaf> leaf(long epoch, String owner);

    /**
     * @param rootHex the root the ledger built for the epoch (0x-hex)
     * @param cumulative the owner's lifetime total under it
     * @param proof 0x-hex sibling hashes
     */
    record OwnerLeaf(String rootHex, BigInteger cumulative, List<String> proof) {
        public OwnerLeaf {
            proof = List.copyOf(proof);
        }
    }
}
