package dev.flywheel.core.claims;

import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What an owner can claim right now: the proof for the root that is active on chain (read from the
 * chain, cached for {@code rootsTtl}), lifetime earned under it, what the chain says was claimed,
 * and the difference. During an activation window the active root is the previous one, and it is
 * the one served (it is what a claim verifies against); the pending root is reported alongside.
 */
public final class ClaimService {
    private final OwnerClaims ledger;
    private final DistributorView chain;
    private final Supplier<DistributorView.OnChainRoots> roots;

    public ClaimService(OwnerClaims ledger, DistributorView chain, Clock clock, Duration rootsTtl) {
        this.ledger = ledger;
        this.chain = chain;
        this.roots = new Cached<>(chain::roots, clock, rootsTtl);
    }

    public sealed interface Answer permits Claim, NothingYet, LedgerBehind {
    }

    /**
     * @param earned lifetime total under the active root
     * @param claimed claimed so far according to the chain
     * @param claimable {@code max(0, earned - claimed)}: what a claim with {@code proof} pays now
     * @param pending the owner's leaf under the pending root, if any and the ledger has it
     */
    public record Claim(String account, long epoch, String rootHex, BigInteger earned, BigInteger claimed, BigInteger claimable,
                        List<String> proof, boolean paused, Optional<Pending> pending) implements Answer {
    }

    public record Pending(long epoch, String rootHex, Instant activatesAt, BigInteger earned, List<String> proof) {
    }

    /** No active root yet, or the owner has no leaf under it. */
    public record NothingYet(String account, String detail) implements Answer {
    }

    /** The chain's active root is not the one the ledger has for that epoch (e.g. a correction the ledger has not recorded). */
    public record LedgerBehind(String account, long epoch, String chainRoot, String ledgerRoot) implements Answer {
    }

    /** @param account lower-case 0x address (validated by the caller) */
    public Answer claimFor(String account) {
        DistributorView.OnChainRoots r = roots.get();
        if (r.activeRootHex() == null) {
            return new NothingYet(account, "no root is active on chain yet");
        }
        Optional<OwnerClaims.OwnerLeaf> leaf = ledger.leaf(r.activeEpoch(), account);
        if (leaf.isEmpty()) {
            return new NothingYet(account, "no rewards for " + account + " under the active root of epoch " + r.activeEpoch());
        }
        OwnerClaims.OwnerLeaf l = leaf.get();
        if (!l.rootHex().equalsIgnoreCase(r.activeRootHex())) {
            return new LedgerBehind(account, r.activeEpoch(), r.activeRootHex(), l.rootHex());
        }
        BigInteger claimed = chain.claimed(account);
        Optional<Pending> pending = Optional.empty();
        if (r.pendingRootHex() != null) {
            pending = ledger.leaf(r.pendingEpoch(), account)
                    .filter(p -> p.rootHex().equalsIgnoreCase(r.pendingRootHex()))
                    .map(p -> new Pending(r.pendingEpoch(), p.rootHex(), r.pendingActivatesAt(), p.cumulative(), p.proof()));
        }
        return new Claim(account, r.activeEpoch(), r.activeRootHex(), l.cumulative(), claimed,
                l.cumulative().subtract(claimed).max(BigInteger.ZERO), l.proof(), r.paused(), pending);
    }

    /** A value read at most once per {@code ttl}: the roots change once per epoch, requests come much more often. */
    private static final class Cached<T> implements Supplier<T> {
        private final Supplier<T> source;
        private final Clock clock;
        private final Duration ttl;
        private T value;
        private Instant readAt;

        Cached(Supplier<T> source, Clock clock, Duration ttl) {
            this.source = source;
            this.clock = clock;
            this.ttl = ttl;
        }

        @Override
        public synchronized T get() {
            Instant now = clock.instant();
            if (value == null || !now.isBefore(readAt.plus(ttl))) {
                value = source.get();
                readAt = now;
            }
            return value;
        }
    }
}
