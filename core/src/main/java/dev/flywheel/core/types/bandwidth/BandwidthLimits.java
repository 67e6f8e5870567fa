package dev.flywheel.core.types.bandwidth;

import java.time.Duration;

/**
 * The network's limits on bandwidth receipts.
 *
 * @param maxWindow      longest window one receipt may cover
 * @param maxReceiptAge  how long after its window's end a receipt may still arrive (server receive time); the session
 *                       store must remember sessions at least this long plus {@code maxWindow}
 * @param capPeriod      the period the caps count in (UTC-aligned; the devnet's epoch is one day)
 * @param pairCapBytes   most bytes one client may vouch for to one node per period
 * @param clientCapBytes most bytes one client may vouch for per period over all nodes
 * @param bytesPerUnit   bytes served per reward unit (units are whole: the rest of a receipt earns nothing)
 */
public record BandwidthLimits(Duration maxWindow, Duration maxReceiptAge, Duration capPeriod, long pairCapBytes,
                              long clientCapBytes, long bytesPerUnit) {
    public static final Duration DEFAULT_MAX_WINDOW = Duration.ofHours(1);
    public static final Duration DEFAULT_MAX_RECEIPT_AGE = Duration.ofHours(1);
    public static final Duration DEFAULT_CAP_PERIOD = Duration.ofDays(1);
    /** 50 GB per client-node pair per day. */
    public static final long DEFAULT_PAIR_CAP_BYTES = 50_000_000_000L;
    /** 200 GB per client per day. */
    public static final long DEFAULT_CLIENT_CAP_BYTES = 200_000_000_000L;
    /** One unit per megabyte (10^6 bytes) served. */
    public static final long DEFAULT_BYTES_PER_UNIT = 1_000_000L;

    public BandwidthLimits {
        if (!maxWindow.isPositive() || maxReceiptAge.isNegative() || !capPeriod.isPositive()
                || pairCapBytes < 1 || clientCapBytes < 1 || bytesPerUnit < 1) {
            throw new IllegalArgumentException("bandwidth limits must be positive");
        }
    }

    public static BandwidthLimits defaults() {
        return new BandwidthLimits(DEFAULT_MAX_WINDOW, DEFAULT_MAX_RECEIPT_AGE, DEFAULT_CAP_PERIOD, DEFAULT_PAIR_CAP_BYTES,
                DEFAULT_CLIENT_CAP_BYTES, DEFAULT_BYTES_PER_UNIT);
    }
}
