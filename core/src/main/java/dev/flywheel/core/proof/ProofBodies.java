package dev.flywheel.core.proof;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.core.verify.ReasonCode;

import java.util.Set;
import java.util.regex.Pattern;

/** Per-type body codecs: the one place that maps wire {@code type} values to body records. */
final class ProofBodies {
    private static final Pattern TOKEN = Pattern.compile("[a-z0-9_.]{1,32}");

    private ProofBodies() {
    }

    static ProofBody decode(String type, ObjectNode body) throws MalformedProofException {
        return switch (type) {
            case SensorReading.TYPE -> {
                onlyMembers(body, Set.of("metric", "value", "unit"));
                yield new SensorReading(token(body, "metric"), ProofCodec.requiredFiniteNumber(body, "value"),
                        token(body, "unit"));
            }
            default -> throw new MalformedProofException(ReasonCode.UNKNOWN_PROOF_TYPE,
                    "type '" + ProofCodec.truncate(type) + "'");
        };
    }

    static ObjectNode encode(ProofBody body) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        switch (body) {
            case SensorReading r -> node.put("metric", r.metric()).put("value", r.value()).put("unit", r.unit());
        }
        return node;
    }

    private static void onlyMembers(ObjectNode body, Set<String> allowed) throws MalformedProofException {
        for (var it = body.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!allowed.contains(name)) {
                throw ProofCodec.schema("unknown body member '" + ProofCodec.truncate(name) + "'");
            }
        }
    }

    private static String token(ObjectNode body, String name) throws MalformedProofException {
        String value = ProofCodec.requiredText(body, name);
        if (!TOKEN.matcher(value).matches()) {
            throw ProofCodec.schema("'body." + name + "' must match " + TOKEN.pattern());
        }
        return value;
    }
}
