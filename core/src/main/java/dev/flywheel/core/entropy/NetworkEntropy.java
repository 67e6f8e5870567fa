package dev.flywheel.core.entropy;

import java.time.Instant;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One published entropy value ({@link EntropyBeacon}).
 *
 * @param entropyHex   64 lowercase hex digits: what devices put into beacons and challenge answers
 * @param issuedAt     start of the period it belongs to (whole seconds): its age is measured from here
 * @param period       period index, {@code issuedAt / periodSeconds} since the Unix epoch
 * @param blockHashHex the chain block hash it was derived from (0x + 64 lowercase hex), for audit
 * @param blockNumber  that block's number, for audit
 */
public record NetworkEntropy(String entropyHex, Instant issuedAt, long period, String blockHashHex, long blockNumber) {
    /** How entropy appears on the wire and in stores. */
    public static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

    public NetworkEntropy {
        Objects.requireNonNull(issuedAt, "issuedAt");
        if (entropyHex == null || !HEX.matcher(entropyHex).matches()) {
            throw new IllegalArgumentException("entropy must be 64 lowercase hex digits: " + entropyHex);
        }
        Objects.requireNonNull(blockHashHex, "blockHashHex");
    }
}
