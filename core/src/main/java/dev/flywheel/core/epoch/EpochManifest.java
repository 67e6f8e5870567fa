package dev.flywheel.core.epoch;

import java.math.BigInteger;
import java.time.Instant;

/**
 * The record of a closed epoch: what was split and the cumulative root that commits to every
 * owner's lifetime total. Re-running the close of the same epoch must reproduce it exactly.
 *
 * @param rootHex         0x-hex Merkle root, or null when no owner has ever earned
 * @param totalCumulative sum of all owners' lifetime totals under this root
 * @param manifestHash    0x-hex SHA-256 of the epoch's canonical manifest document, published on
 *                        chain with the root so anyone can tie the root to the published rewards
 */
public record EpochManifest(long epoch, BigInteger emission, long totalUnits, BigInteger allocated,
                            BigInteger unallocated, int rewardedDevices, int owners, String rootHex,
                            BigInteger totalCumulative, Instant closedAt, String manifestHash) {
}
