package dev.flywheel.core.types.uptime;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A challenge the network issued to one node.
 *
 * @param challenge        64 lowercase hex digits
 * @param deviceId         the node it is addressed to
 * @param issuedAt         when the network issued it (server clock): the answer deadline counts from here
 * @param expectedResponse the answer the network can predict (e.g. from a data digest it knows), or null when
 *                         any response is accepted and only timeliness is proven
 */
public record IssuedChallenge(String challenge, String deviceId, Instant issuedAt, String expectedResponse) {
    public IssuedChallenge {
        Objects.requireNonNull(challenge, "challenge");
        Objects.requireNonNull(deviceId, "deviceId");
        Objects.requireNonNull(issuedAt, "issuedAt");
    }

    public Optional<String> expected() {
        return Optional.ofNullable(expectedResponse);
    }
}
