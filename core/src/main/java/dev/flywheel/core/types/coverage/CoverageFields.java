package dev.flywheel.core.types.coverage;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flywheel.core.crypto.Encoding;
import dev.flywheel.core.proof.BodyFields;
import dev.flywheel.core.proof.MalformedProofException;

import java.util.regex.Pattern;

/** Strict readers for the coverage bodies' members that {@link BodyFields} has no reader for. */
final class CoverageFields {
    static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
    /** Longest payload a beacon or witness may carry (a beacon payload is 32 bytes). */
    static final int MAX_PAYLOAD_BYTES = 64;

    private CoverageFields() {
    }

    /** An integer literal in [min, max] (may be negative: dBm, dB). */
    static int boundedInt(JsonNode node, String name, int min, int max) throws MalformedProofException {
        JsonNode n = node.get(name);
        if (n == null || !n.isIntegralNumber() || !n.canConvertToLong() || n.longValue() < min || n.longValue() > max) {
            throw BodyFields.schema("'" + name + "' must be an integer in [" + min + ", " + max + "]");
        }
        return (int) n.longValue();
    }

    static String hex64(JsonNode node, String name) throws MalformedProofException {
        String value = BodyFields.text(node, name);
        if (!HEX64.matcher(value).matches()) {
            throw BodyFields.schema("'" + name + "' must be 64 lowercase hex digits");
        }
        return value;
    }

    /** Base64url bytes (1..64), returned in normalised form: unpadded base64url. */
    static String payload(JsonNode node, String name) throws MalformedProofException {
        String value = BodyFields.text(node, name);
        byte[] bytes;
        try {
            bytes = Encoding.fromBase64Url(value);
        } catch (IllegalArgumentException e) {
            throw BodyFields.schema("'" + name + "' is not base64url");
        }
        if (bytes.length == 0 || bytes.length > MAX_PAYLOAD_BYTES) {
            throw BodyFields.schema("'" + name + "' must hold 1 to " + MAX_PAYLOAD_BYTES + " bytes");
        }
        String normalised = Encoding.base64Url(bytes);
        if (!normalised.equals(value)) {
            throw BodyFields.schema("'" + name + "' must be unpadded base64url in canonical form");
        }
        return normalised;
    }

    /** A frequency in Hz: positive, at most 10 GHz. */
    static long frequency(JsonNode node, String name) throws MalformedProofException {
        long hz = BodyFields.safeLong(node, name);
        if (hz == 0 || hz > 10_000_000_000L) {
            throw BodyFields.schema("'" + name + "' must be a frequency in Hz in [1, 10^10]");
        }
        return hz;
    }
}
