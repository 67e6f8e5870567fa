package dev.flywheel.core.entropy;

import dev.flywheel.core.proof.PlausibilityChecks.Failure;
import dev.flywheel.core.proof.ReasonCode;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Whether the entropy a proof carries was fresh when the proof arrived: it must be a value the
 * network published ({@link EntropyLookup}), issued no later than the server receive time and at most
 * {@code maxAge} (default 180 s, Helium's window) before it. Both bounds are inclusive: an age of exactly
 * {@code maxAge} passes, one millisecond more does not. Only the server's clock is used.
 */
public final class EntropyWindow {
    public static final Duration DEFAULT_MAX_AGE = Duration.ofSeconds(180);

    private final EntropyLookup lookup;
    private final Duration maxAge;

    public EntropyWindow(EntropyLookup lookup, Duration maxAge) {
        this.lookup = Objects.requireNonNull(lookup, "lookup");
        if (maxAge.isNegative()) {
            throw new IllegalArgumentException("maxAge is negative: " + maxAge);
        }
        this.maxAge = maxAge;
    }

    public static EntropyWindow defaults(EntropyLookup lookup) {
        return new EntropyWindow(lookup, DEFAULT_MAX_AGE);
    }

    public Duration maxAge() {
        return maxAge;
    }

    /** The pure rule: {@code issuedAt <= receivedAt} and {@code receivedAt - issuedAt <= maxAge}. */
    public static boolean usable(Instant issuedAt, Instant receivedAt, Duration maxAge) {
        return !issuedAt.isAfter(receivedAt) && !issuedAt.plus(maxAge).isBefore(receivedAt);
    }

    /**
     * @return empty when usable; {@code entropy_unknown} when the network never published it (or published it
     * only after the proof arrived); {@code entropy_stale} when it was older than {@code maxAge} on arrival
     */
    public Optional<Failure> check(String entropyHex, Instant receivedAt) {
        Optional<Instant> issued = lookup.issuedAt(entropyHex);
        if (issued.isEmpty()) {
            return Optional.of(new Failure(ReasonCode.ENTROPY_UNKNOWN, "entropy " + shortHex(entropyHex)
                    + " was not published by the network", Map.of()));
        }
        Instant issuedAt = issued.get();
        long ageMillis = receivedAt.toEpochMilli() - issuedAt.toEpochMilli();
        Map<String, Object> evidence = Map.of("entropyIssuedAt", issuedAt.toEpochMilli(),
                "receivedAt", receivedAt.toEpochMilli(), "entropyAgeMillis", ageMillis, "limitMillis", maxAge.toMillis());
        if (issuedAt.isAfter(receivedAt)) {
            return Optional.of(new Failure(ReasonCode.ENTROPY_UNKNOWN, "entropy " + shortHex(entropyHex)
                    + " was issued " + (-ageMillis) + " ms after the proof arrived", evidence));
        }
        if (!usable(issuedAt, receivedAt, maxAge)) {
            return Optional.of(new Failure(ReasonCode.ENTROPY_STALE, "entropy is " + ageMillis + " ms old on arrival, limit "
                    + maxAge.toMillis() + " ms", evidence));
        }
        return Optional.empty();
    }

    private static String shortHex(String hex) {
        return hex == null ? "null" : hex.length() > 16 ? hex.substring(0, 16) + "..." : hex;
    }
}
