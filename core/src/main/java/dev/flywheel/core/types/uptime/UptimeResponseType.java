package dev.flywheel.core.types.uptime;

import java.util.List;
import java.util.Optional;
import dev.flywheel.core.proof.TypePorts;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.core.proof.BodyFields;
import dev.flywheel.core.proof.MalformedProofException;
import dev.flywheel.core.proof.ProofType;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code uptime.response}: {"challenge": hex64, "response": hex64, "latencyMs": integer in [0, 3 600 000]}.
 * Hex is lowercase (one spelling per value: the proof is signed and credited as sent).
 */
public final class UptimeResponseType implements ProofType<ChallengeResponse> {
    private static final Set<String> MEMBERS = Set.of("challenge", "response", "latencyMs");
    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
    /** One hour: a latency beyond it is not a measurement of serving. */
    static final long MAX_LATENCY_MS = 3_600_000;

    @Override
    public String wireType() {
        return ChallengeResponse.TYPE;
    }

    @Override
    public Class<ChallengeResponse> bodyType() {
        return ChallengeResponse.class;
    }

    @Override
    public ChallengeResponse decode(ObjectNode body) throws MalformedProofException {
        BodyFields.onlyMembers(body, MEMBERS);
        long latency = BodyFields.safeLong(body, "latencyMs");
        if (latency > MAX_LATENCY_MS) {
            throw BodyFields.schema("'latencyMs' must be at most " + MAX_LATENCY_MS);
        }
        return new ChallengeResponse(hex64(body, "challenge"), hex64(body, "response"), latency);
    }

    @Override
    public ObjectNode encode(ChallengeResponse r) {
        return JsonNodeFactory.instance.objectNode()
                .put("challenge", r.challenge()).put("response", r.response()).put("latencyMs", r.latencyMs());
    }

    private static String hex64(ObjectNode body, String name) throws MalformedProofException {
        String value = BodyFields.text(body, name);
        if (!HEX64.matcher(value).matches()) {
            throw BodyFields.schema("'" + name + "' must be 64 lowercase hex digits");
        }
        return value;
    }

    /** Needs the challenge store ({@link ChallengeLookup}). */
    @Override
    public Optional<UptimeResponseRule> rule(TypePorts ports) {
        return ports.find(ChallengeLookup.class).map(UptimeResponseRule::defaults);
    }

    @Override
    public List<UptimeReason> reasons() {
        return List.of(UptimeReason.values());
    }
}
