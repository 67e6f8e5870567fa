package dev.flywheel.core.proof;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.core.json.CanonicalJson;

import java.util.Set;
import java.util.regex.Pattern;

/** Strict readers for envelope and body members, shared by every proof type's codec. */
public final class BodyFields {
    private static final Pattern TOKEN = Pattern.compile("[a-z0-9_.]{1,32}");

    private BodyFields() {
    }

    /** Rejects members a type does not define: everything in a proof is signed and must be understood. */
    public static void onlyMembers(ObjectNode node, Set<String> allowed) throws MalformedProofException {
        for (var it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!allowed.contains(name)) {
                throw schema("unknown body member '" + truncate(name) + "'");
            }
        }
    }

    public static String text(JsonNode node, String name) throws MalformedProofException {
        JsonNode n = node.get(name);
        if (n == null || !n.isTextual()) {
            throw schema("'" + name + "' must be a string");
        }
        return n.textValue();
    }

    /** A short lowercase identifier such as a metric or unit name. */
    public static String token(JsonNode node, String name) throws MalformedProofException {
        String value = text(node, name);
        if (!TOKEN.matcher(value).matches()) {
            throw schema("'" + name + "' must match " + TOKEN.pattern());
        }
        return value;
    }

    /** An integer in [0, 2^53): exact in every JSON implementation. */
    public static long safeLong(JsonNode node, String name) throws MalformedProofException {
        JsonNode n = node.get(name);
        if (n == null || !n.isIntegralNumber() || !n.canConvertToLong()
                || n.longValue() < 0 || n.longValue() > CanonicalJson.MAX_SAFE_INTEGER) {
            throw schema("'" + name + "' must be an integer in [0, 2^53)");
        }
        return n.longValue();
    }

    public static double finiteNumber(JsonNode node, String name) throws MalformedProofException {
        JsonNode n = node.get(name);
        if (n == null || !n.isNumber() || !Double.isFinite(n.doubleValue())) {
            throw schema("'" + name + "' must be a finite number");
        }
        return n.doubleValue();
    }

    public static MalformedProofException schema(String detail) {
        return new MalformedProofException(ReasonCode.SCHEMA_INVALID, detail);
    }

    public static String truncate(String s) {
        return s.length() > 64 ? s.substring(0, 64) + "..." : s;
    }
}
