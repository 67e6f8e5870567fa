package dev.flywheel.core.entropy;

import dev.flywheel.core.crypto.Encoding;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Derives the network's entropy for a period, as Helium does: a hash of the time and a recent
 * block hash, so nobody (device or operator) can know it before the block exists, and everybody
 * can recompute it afterwards.
 *
 * <pre>
 * entropy = SHA-256( uint64_be(periodStartSeconds) || blockHash (32 bytes) || UTF-8(networkId) )
 * </pre>
 *
 * where {@code periodStartSeconds} is Unix seconds rounded down to a multiple of the period (60 s by
 * default) and {@code blockHash} is the newest finalized block's hash when the period's value is made.
 * The value is published as 64 lowercase hex digits; its {@code issuedAt} is the period start.
 */
public final class EntropyBeacon {
    public static final Duration DEFAULT_PERIOD = Duration.ofSeconds(60);

    private final String networkId;
    private final long periodSeconds;

    /**
     * @param networkId separates networks (and devnets) that read the same chain, e.g. {@code flywheel-80002}
     * @param period    whole seconds, at least one
     */
    public EntropyBeacon(String networkId, Duration period) {
        this.networkId = Objects.requireNonNull(networkId, "networkId");
        if (networkId.isEmpty()) {
            throw new IllegalArgumentException("networkId is empty");
        }
        if (period.isNegative() || period.isZero() || period.getNano() != 0) {
            throw new IllegalArgumentException("period must be a positive whole number of seconds: " + period);
        }
        this.periodSeconds = period.getSeconds();
    }

    public String networkId() {
        return networkId;
    }

    public Duration period() {
        return Duration.ofSeconds(periodSeconds);
    }

    /** The index of the period {@code at} falls in (floor division, so instants before 1970 work too). */
    public long periodOf(Instant at) {
        return Math.floorDiv(at.getEpochSecond(), periodSeconds);
    }

    /** The first instant of a period. */
    public Instant periodStart(long period) {
        return Instant.ofEpochSecond(Math.multiplyExact(period, periodSeconds));
    }

    /** The entropy of the period {@code now} falls in, from the given block. */
    public NetworkEntropy derive(Instant now, byte[] blockHash, long blockNumber) {
        return derive(periodOf(now), blockHash, blockNumber);
    }

    public NetworkEntropy derive(long period, byte[] blockHash, long blockNumber) {
        if (blockHash.length != 32) {
            throw new IllegalArgumentException("a block hash has 32 bytes, got " + blockHash.length);
        }
        Instant start = periodStart(period);
        byte[] id = networkId.getBytes(StandardCharsets.UTF_8);
        byte[] input = ByteBuffer.allocate(8 + 32 + id.length)
                .putLong(start.getEpochSecond()).put(blockHash).put(id).array();
        return new NetworkEntropy(Encoding.hex(Encoding.sha256(input)), start, period, Encoding.hex0x(blockHash), blockNumber);
    }
}
