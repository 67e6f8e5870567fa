package dev.flywheel.core.entropy;

import java.time.Instant;
import java.util.Optional;

/**
 * Port: when the network published a given entropy value. Proofs that must not be precomputed
 * (beacons, challenge answers) carry recent entropy; its age is judged against the server clock.
 */
@FunctionalInterface
public interface EntropyLookup {
    /** @param entropyHex 64 lowercase hex digits, as published */
    Optional<Instant> issuedAt(String entropyHex);
}
