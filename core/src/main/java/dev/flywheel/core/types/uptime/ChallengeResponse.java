package dev.flywheel.core.types.uptime;

import dev.flywheel.core.proof.ProofBody;
import java.util.Objects;

/**
 * A node's answer to a service challenge (bandwidth, storage, compute nodes: proof of uptime). The
 * network issued {@code challenge} to this node; the node answers with {@code response}, e.g.
 * {@code SHA-256(challenge bytes || digest of the data it was asked to serve)}, and the latency it measured.
 * Timing is judged by the server receive time, never by the node's numbers.
 *
 * @param challenge 64 lowercase hex digits, as issued
 * @param response  64 lowercase hex digits
 * @param latencyMs the node's measured service latency in milliseconds (reported, not trusted for timing)
 */
public record ChallengeResponse(String challenge, String response, long latencyMs) implements ProofBody {
    public static final String TYPE = "uptime.response";

    public ChallengeResponse {
        Objects.requireNonNull(challenge, "challenge");
        Objects.requireNonNull(response, "response");
    }

    @Override
    public String type() {
        return TYPE;
    }
}
