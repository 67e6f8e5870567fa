package dev.flywheel.core.proof;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.core.crypto.DeviceSigningKey;
import dev.flywheel.core.crypto.Encoding;
import dev.flywheel.core.crypto.SignatureScheme;
import dev.flywheel.core.json.CanonicalJson;
import dev.flywheel.core.json.InvalidJsonException;

import java.time.Instant;
import java.util.Iterator;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads and writes the v1 proof envelope ({@code docs/protocol.md}). Decoding is strict: every
 * member must be known and well-typed, because everything in the envelope is signed and credited.
 */
public final class ProofCodec {

    /** Protocol limit; IoT Core itself allows 128 KB, proofs never need more than this. */
    public static final int MAX_PAYLOAD_BYTES = 16 * 1024;
    /** IoT Core thing-name alphabet, so the device id can be the thing name. */
    public static final Pattern DEVICE_ID = Pattern.compile("[A-Za-z0-9:_-]{1,128}");
    private static final Pattern H3_CELL = Pattern.compile("[0-9a-f]{15}");
    private static final Set<String> MEMBERS = Set.of("v", "device", "type", "seq", "time", "loc", "body", "sig");
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private ProofCodec() {
    }

    public static ProofEnvelope decode(byte[] payload) throws MalformedProofException {
        return decode(payload, ProofTypes.builtIn());
    }

    /** Decodes a proof whose type must be one of {@code types} (the network's configuration). */
    public static ProofEnvelope decode(byte[] payload, ProofTypes types) throws MalformedProofException {
        if (payload.length > MAX_PAYLOAD_BYTES) {
            throw new MalformedProofException(ReasonCode.PAYLOAD_TOO_LARGE,
                    payload.length + " bytes exceeds the " + MAX_PAYLOAD_BYTES + "-byte limit");
        }
        ObjectNode root;
        try {
            root = CanonicalJson.parseObject(payload);
        } catch (InvalidJsonException e) {
            // "-0" is well-formed JSON but not a v1 integer (seq, time and v are plain digits): a schema fault.
            throw new MalformedProofException(e.isNegativeZero() ? ReasonCode.SCHEMA_INVALID : ReasonCode.MALFORMED_JSON,
                    e.getMessage());
        }
        for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!MEMBERS.contains(name)) {
                throw BodyFields.schema("unknown member '" + BodyFields.truncate(name) + "'");
            }
        }
        JsonNode v = root.get("v");
        if (v == null || !v.isIntegralNumber()) {
            throw BodyFields.schema("'v' must be an integer");
        }
        if (!v.canConvertToInt() || v.intValue() != ProofEnvelope.VERSION) {
            throw new MalformedProofException(ReasonCode.UNSUPPORTED_VERSION, "version " + BodyFields.truncate(v.asText()));
        }
        String deviceId = BodyFields.text(root, "device");
        if (!DEVICE_ID.matcher(deviceId).matches()) {
            throw BodyFields.schema("'device' must match " + DEVICE_ID.pattern());
        }
        long seq = BodyFields.safeLong(root, "seq");
        long time = BodyFields.safeLong(root, "time");
        String h3 = null;
        JsonNode loc = root.get("loc");
        if (loc != null) {
            JsonNode cell = loc.get("h3");
            if (!loc.isObject() || loc.size() != 1 || cell == null || !cell.isTextual()
                    || !H3_CELL.matcher(cell.textValue()).matches()) {
                throw BodyFields.schema("'loc' must be {\"h3\": <15 lowercase hex digits>}");
            }
            h3 = cell.textValue();
        }
        String type = BodyFields.text(root, "type");
        JsonNode body = root.get("body");
        if (body == null || !body.isObject()) {
            throw BodyFields.schema("'body' must be an object");
        }
        ProofBody parsedBody = types.decode(type, (ObjectNode) body);

        JsonNode sig = root.get("sig");
        if (sig == null || !sig.isObject() || sig.size() != 2 || !sig.path("alg").isTextual() || !sig.path("value").isTextual()) {
            throw BodyFields.schema("'sig' must be {\"alg\": string, \"value\": base64url}");
        }
        SignatureScheme scheme = SignatureScheme.fromWireId(sig.get("alg").textValue())
                .orElseThrow(() -> new MalformedProofException(ReasonCode.UNSUPPORTED_SIGNATURE_SCHEME,
                        "alg '" + BodyFields.truncate(sig.get("alg").textValue()) + "'"));
        byte[] signature;
        try {
            signature = Encoding.fromBase64Url(sig.get("value").textValue());
        } catch (IllegalArgumentException e) {
            throw BodyFields.schema("'sig.value' is not base64url");
        }
        byte[] signedBytes;
        try {
            signedBytes = CanonicalJson.canonicalizeWithout(root, "sig");
        } catch (InvalidJsonException e) {
            throw new MalformedProofException(ReasonCode.NON_CANONICAL_VALUE, e.getMessage());
        }
        return new ProofEnvelope(ProofEnvelope.VERSION, deviceId, seq, Instant.ofEpochMilli(time), h3, parsedBody,
                scheme, signature, signedBytes, Encoding.hex(Encoding.sha256(signedBytes)));
    }

    /** Builds and signs an envelope: what device firmware does. Returns the canonical wire bytes. */
    public static byte[] encode(String deviceId, long seq, Instant deviceTime, String h3Cell, ProofBody body,
                                DeviceSigningKey key) {
        ObjectNode root = unsigned(deviceId, seq, deviceTime, h3Cell, body);
        try {
            byte[] signature = key.sign(CanonicalJson.canonicalize(root));
            return withSignature(root, key.scheme(), signature);
        } catch (InvalidJsonException e) {
            throw new IllegalArgumentException("proof cannot be canonicalized: " + e.getMessage(), e);
        }
    }

    /** The envelope without {@code sig}, as a tree: its canonical form is what gets signed. */
    public static ObjectNode unsigned(String deviceId, long seq, Instant deviceTime, String h3Cell, ProofBody body) {
        ObjectNode root = NODES.objectNode();
        root.put("v", ProofEnvelope.VERSION);
        root.put("device", deviceId);
        root.put("type", body.type());
        root.put("seq", seq);
        root.put("time", deviceTime.toEpochMilli());
        if (h3Cell != null) {
            root.putObject("loc").put("h3", h3Cell);
        }
        root.set("body", ProofTypes.encode(body));
        return root;
    }

    /** Adds {@code sig} to an unsigned envelope and returns canonical wire bytes. */
    public static byte[] withSignature(ObjectNode unsigned, SignatureScheme scheme, byte[] signature) {
        ObjectNode signed = unsigned.deepCopy();
        ObjectNode sig = signed.putObject("sig");
        sig.put("alg", scheme.wireId());
        sig.put("value", Encoding.base64Url(signature));
        try {
            return CanonicalJson.canonicalize(signed);
        } catch (InvalidJsonException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}
