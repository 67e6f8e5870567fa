package dev.flywheel.dynamodb;

import dev.flywheel.core.claims.OwnerClaims;

import java.util.Optional;

/** The claims API's view of the ledger: one GetItem for one owner's balance item under one epoch. */
public final class DynamoOwnerClaims implements OwnerClaims {
    private final DynamoEpochLedger ledger;

    public DynamoOwnerClaims(DynamoEpochLedger ledger) {
        this.ledger = ledger;
    }

    @Override
    public Optional<OwnerLeaf> leaf(long epoch, String owner) {
        return ledger.ownerBalance(epoch, owner).map(b -> new OwnerLeaf(b.rootHex(), b.cumulative(), b.proof()));
    }
}
