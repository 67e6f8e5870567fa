package dev.flywheel.core.epoch;

import dev.flywheel.core.settlement.SettlementAlarms;

import java.util.Optional;

/**
 * Publishes the newest closed epoch's cumulative root. Because leaves hold lifetime totals, only
 * the newest root matters: epochs closed in between are covered by it and are marked settled with it.
 * A publication the chain blocks (see {@link RootPublication.Blocked}) raises an alarm once and
 * leaves the epoch unsettled; later runs report it again without raising it again.
 */
public final class EpochSettler {
    private final EpochLedger ledger;
    private final RootPublication chain;
    private final EpochClock clock;
    private final SettlementAlarms alarms;

    public EpochSettler(EpochLedger ledger, RootPublication chain, EpochClock clock, SettlementAlarms alarms) {
        this.ledger = ledger;
        this.chain = chain;
        this.clock = clock;
        this.alarms = alarms;
    }

    /**
     * @param txHash the root transaction, null when nothing of ours was needed (no owner yet, or the chain had it)
     * @param blocked reason code and detail when the chain blocked the publication, else null
     * @param alarmRaised true when this run raised the alarm for {@code blocked} for the first time
     */
    public record Settlement(long epoch, String rootHex, String txHash, String blocked, boolean alarmRaised) {
        public boolean settled() {
            return blocked == null;
        }
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
            switch (chain.publish(epoch, manifest.rootHex(), manifest.totalCumulative(), manifest.manifestHash())) {
                case RootPublication.Published published -> txHash = published.txHash();
                case RootPublication.Blocked blocked -> {
                    String what = blocked.reason() + ": " + blocked.detail();
                    boolean first = alarms.raiseOnce("settle-epoch-" + epoch + "-" + blocked.reason(), blocked.reason(), blocked.detail());
                    return Optional.of(new Settlement(epoch, manifest.rootHex(), null, what, first));
                }
            }
        }
        ledger.markSettled(epoch, txHash, cursor.lastSettled());
        return Optional.of(new Settlement(epoch, manifest.rootHex(), txHash, null, false));
    }
}
