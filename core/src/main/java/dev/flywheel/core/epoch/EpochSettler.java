package dev.flywheel.core.epoch;

import java.util.Optional;

/**
 * Publishes the newest closed epoch's cumulative root. Because leaves hold lifetime totals, only
 * the newest root matters: epochs closed in between are covered by it and are marked settled with it.
 */
public final class EpochSettler {
    private final EpochLedger ledger;
    private final RootPublication chain;
    private final EpochClock clock;

    public EpochSettler(EpochLedger ledger, RootPublication chain, EpochClock clock) {
        this.ledger = ledger;
        this.chain = chain;
        this.clock = clock;
    }

    public record Settlement(long epoch, String rootHex, String txHash) {
    }

    /** Settles the newest closed epoch if it is not settled yet. */
    public Optional<Settlement> settleLatest() {
        EpochLedger.Cursor cursor = ledger.cursor(clock.epochOf(clock.genesis()) - 1);
        if (cursor.lastClosed() <= cursor.lastSettled()) {
            return Optional.empty();
        }
        long epoch = cursor.lastClosed();
        EpochManifest manifest = ledger.manifest(epoch).orElseThrow(
                () -> new IllegalStateException("epoch " + epoch + " is closed but has no manifest"));
        String txHash = null;
        if (manifest.rootHex() != null) {
            txHash = chain.publish(epoch, manifest.rootHex(), manifest.totalCumulative(), manifest.manifestHash());
        }
        ledger.markSettled(epoch, txHash, cursor.lastSettled());
        return Optional.of(new Settlement(epoch, manifest.rootHex(), txHash));
    }
}
