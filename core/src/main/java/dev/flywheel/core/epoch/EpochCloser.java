package dev.flywheel.core.epoch;

import dev.flywheel.core.merkle.CumulativeMerkleTree;
import dev.flywheel.core.merkle.LeafDomain;
import dev.flywheel.core.merkle.RewardLeaf;
import dev.flywheel.core.reward.EpochRewardSplit;
import dev.flywheel.core.reward.EpochRewards;
import dev.flywheel.core.reward.OwnerBalances;

import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Closes every epoch whose end lies at least {@code lateDataGate} in the past, in order: marks it
 * closing, splits the emission over its credits, adds the shares to lifetime totals, builds the
 * cumulative Merkle root, writes it all, then marks it closed. Each step is idempotent, so a run
 * that dies anywhere is finished by the next one with the same result.
 */
public final class EpochCloser {
    private final EpochLedger ledger;
    private final EpochClock clock;
    private final EmissionSchedule emission;
    private final Duration lateDataGate;
    private final Clock wallClock;
    private final LeafDomain domain;

    /** @param domain chain and distributor the roots are published to: every leaf is bound to them */
    public EpochCloser(EpochLedger ledger, EpochClock clock, EmissionSchedule emission, Duration lateDataGate,
                       Clock wallClock, LeafDomain domain) {
        this.ledger = ledger;
        this.clock = clock;
        this.emission = emission;
        this.lateDataGate = lateDataGate;
        this.wallClock = wallClock;
        this.domain = domain;
    }

    /** Closes due epochs, at most {@code limit}, and returns their manifests. */
    public List<EpochManifest> closeDue(int limit) {
        List<EpochManifest> closed = new ArrayList<>();
        Instant now = wallClock.instant();
        EpochLedger.Cursor cursor = ledger.cursor(clock.epochOf(clock.genesis()) - 1);
        long next = cursor.lastClosed() + 1;
        while (closed.size() < limit && !clock.end(next).plus(lateDataGate).isAfter(now)) {
            closed.add(close(next, cursor.lastClosed()));
            cursor = new EpochLedger.Cursor(next, cursor.lastSettled());
            next++;
        }
        return closed;
    }

    EpochManifest close(long epoch, long previousClosed) {
        if (!ledger.beginClosing(epoch)) {
            return ledger.manifest(epoch).orElseThrow();
        }
        EpochRewards rewards = EpochRewardSplit.split(epoch, emission.emissionFor(epoch), ledger.credits(epoch));
        Map<String, BigInteger> cumulative = OwnerBalances.accumulate(ledger.balances(previousClosed), rewards);
        CumulativeMerkleTree tree = cumulative.isEmpty() ? null : CumulativeMerkleTree.of(domain,
                cumulative.entrySet().stream().map(e -> new RewardLeaf(e.getKey(), e.getValue())).toList());
        ledger.writeRewards(rewards, cumulative, tree);
        BigInteger total = cumulative.values().stream().reduce(BigInteger.ZERO, BigInteger::add);
        String root = tree == null ? null : tree.rootHex();
        EpochManifest manifest = new EpochManifest(epoch, rewards.emission(), rewards.totalUnits(),
                rewards.allocated(), rewards.unallocated(), rewards.rewards().size(), cumulative.size(),
                root, total, wallClock.instant(), ManifestDocument.hash(rewards, root, total));
        ledger.markClosed(manifest, previousClosed);
        return manifest;
    }
}
