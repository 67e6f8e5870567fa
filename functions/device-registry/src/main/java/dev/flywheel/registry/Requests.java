package dev.flywheel.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.core.crypto.Encoding;
import dev.flywheel.core.crypto.EvmSignatures;
import dev.flywheel.core.crypto.SignatureScheme;
import dev.flywheel.core.onboarding.OnboardingError;
import dev.flywheel.core.proof.ProofCodec;
import dev.flywheel.core.proof.DeviceStatus;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

import java.util.HexFormat;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The request bodies of the device-registry API, parsed strictly: unknown members, wrong types and
 * bad encodings are refused with a reason code before anything is looked up or written.
 *
 * <p>Encodings: the device's public key and signature are base64url without padding (as in proofs,
 * docs/protocol.md); wallet signatures are {@code 0x} + 130 hex digits (r || s || v), as
 * {@code eth_signTypedData_v4} returns them.
 */
final class Requests {
    private static final Pattern ADDRESS = Pattern.compile("0x[0-9a-fA-F]{40}");
    private static final Pattern WALLET_SIGNATURE = Pattern.compile("0x[0-9a-fA-F]{130}");
    private static final Pattern BASE64URL = Pattern.compile("[A-Za-z0-9_-]*");
    /** IoT thing attribute values allow [a-zA-Z0-9_.,@/:#=\[\]-]; makers are names, so a safe subset. */
    static final Pattern MAKER = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");
    /** What a device serves beyond proofs, e.g. {@code uptime} (it is then issued service challenges). */
    static final Pattern CAPABILITY = Pattern.compile("[a-z0-9_.]{1,32}");
    static final String RESERVED_THING_NAME = "network";
    static final int MAX_BODY = 64 * 1024;
    static final int MAX_REASON = 256;

    private final ObjectMapper json;

    /** @param json reads the bodies: the function's one mapper (the context's bean) */
    Requests(ObjectMapper json) {
        this.json = json;
    }

    record Binding(String owner, long nonce, long chainId) {
    }

    record Register(String thingName, String maker, SignatureScheme scheme, byte[] publicKey, String csrPem,
                    Binding binding, byte[] deviceSignature, byte[] ownerSignature, Set<String> capabilities) {
    }

    record Transfer(Binding binding, byte[] deviceSignature, byte[] ownerSignature, byte[] currentOwnerSignature) {
    }

    record Location(String h3Cell, int antennaGainDeciDbi, int elevationMeters, long nonce, long chainId,
                    byte[] ownerSignature) {
    }

    record StatusChange(DeviceStatus status, String reason) {
    }

    Register register(String body) {
        ObjectNode o = object(body, Set.of("thingName", "maker", "scheme", "publicKey", "csr", "binding",
                "deviceSignature", "ownerSignature", "capabilities"));
        String thingName = deviceId(requiredText(o, "thingName"));
        String maker = requiredText(o, "maker");
        if (!MAKER.matcher(maker).matches()) {
            throw new RequestException("'maker' must match " + MAKER.pattern());
        }
        String schemeId = requiredText(o, "scheme");
        SignatureScheme scheme = SignatureScheme.fromWireId(schemeId).orElseThrow(() -> new RequestException(
                OnboardingError.INVALID_PUBLIC_KEY, "unknown signing scheme '" + schemeId + "' (ed25519, p256-sha256, secp256k1-keccak256)"));
        byte[] publicKey = publicKey(scheme, requiredText(o, "publicKey"));
        String csr = o.hasNonNull("csr") ? text(o, "csr") : null;
        if (csr == null || csr.isBlank()) {
            throw new RequestException(OnboardingError.MALFORMED_CSR, "'csr' (PEM PKCS#10) is required");
        }
        return new Register(thingName, maker, scheme, publicKey, csr, binding(o),
                deviceSignature(o, "deviceSignature"), walletSignature(o, "ownerSignature"), capabilities(o));
    }

    /** Optional {@code "capabilities": ["uptime", ...]}: distinct lowercase tokens. */
    private static Set<String> capabilities(ObjectNode o) {
        if (!o.has("capabilities")) {
            return Set.of();
        }
        if (!o.get("capabilities").isArray() || o.get("capabilities").size() > 8) {
            throw new RequestException("'capabilities' must be an array of at most 8 names");
        }
        Set<String> out = new java.util.TreeSet<>();
        for (var c : o.get("capabilities")) {
            if (!c.isTextual() || !CAPABILITY.matcher(c.textValue()).matches() || !out.add(c.textValue())) {
                throw new RequestException("each capability must be a distinct name matching " + CAPABILITY.pattern());
            }
        }
        return Set.copyOf(out);
    }

    Transfer transfer(String body) {
        ObjectNode o = object(body, Set.of("binding", "deviceSignature", "ownerSignature", "currentOwnerSignature"));
        return new Transfer(binding(o), deviceSignature(o, "deviceSignature"), walletSignature(o, "ownerSignature"),
                walletSignature(o, "currentOwnerSignature"));
    }

    Location location(String body) {
        ObjectNode o = object(body, Set.of("h3Cell", "antennaGainDeciDbi", "elevationMeters", "nonce", "chainId",
                "ownerSignature"));
        String cell = requiredText(o, "h3Cell");
        int gain = (int) integer(o, "antennaGainDeciDbi", -200, 500, 0);
        int elevation = (int) integer(o, "elevationMeters", -1_000, 10_000, 0);
        return new Location(cell, gain, elevation, integer(o, "nonce", 1, Long.MAX_VALUE, null),
                integer(o, "chainId", 1, Long.MAX_VALUE, null), walletSignature(o, "ownerSignature"));
    }

    StatusChange status(String body) {
        ObjectNode o = object(body, Set.of("status", "reason"));
        String s = requiredText(o, "status").toUpperCase(Locale.ROOT);
        DeviceStatus status = switch (s) {
            case "ACTIVE", "REACTIVATE" -> DeviceStatus.ACTIVE;
            case "SUSPENDED", "SUSPEND" -> DeviceStatus.SUSPENDED;
            case "REVOKED", "REVOKE" -> DeviceStatus.REVOKED;
            default -> throw new RequestException("'status' must be active, suspended or revoked");
        };
        String reason = requiredText(o, "reason");
        if (reason.isBlank() || reason.length() > MAX_REASON) {
            throw new RequestException("'reason' must be 1 to " + MAX_REASON + " characters");
        }
        return new StatusChange(status, reason);
    }

    /** A thing name: the protocol's device-id alphabet, and not the reserved {@code network}. */
    static String deviceId(String id) {
        if (id == null || !ProofCodec.DEVICE_ID.matcher(id).matches()) {
            throw new RequestException(OnboardingError.INVALID_DEVICE_ID, "device id must match " + ProofCodec.DEVICE_ID.pattern());
        }
        if (RESERVED_THING_NAME.equals(id)) {
            throw new RequestException(OnboardingError.INVALID_DEVICE_ID, "'network' is reserved (a topic level of the entropy topic)");
        }
        return id;
    }

    static byte[] publicKey(SignatureScheme scheme, String encoded) {
        byte[] key = base64Url(encoded, OnboardingError.INVALID_PUBLIC_KEY, "publicKey");
        boolean ok = switch (scheme) {
            case ED25519 -> key.length == Ed25519.PUBLIC_KEY_SIZE && Ed25519.validatePublicKeyFull(key, 0);
            case P256_SHA256 -> onCurve("secp256r1", key);
            case SECP256K1_KECCAK256 -> onCurve("secp256k1", key);
        };
        if (!ok) {
            throw new RequestException(OnboardingError.INVALID_PUBLIC_KEY, "'publicKey' is not a valid " + scheme.wireId()
                    + " public key (" + (scheme == SignatureScheme.ED25519 ? "32 bytes"
                    : "SEC1 point: 65 bytes uncompressed 04||X||Y or 33 bytes compressed 02/03||X") + ", base64url)");
        }
        return key;
    }

    /** A SEC1 point on the curve, uncompressed (65 bytes, 04) or compressed (33 bytes, 02/03), as docs/protocol.md section 4 allows. */
    private static boolean onCurve(String curve, byte[] key) {
        boolean uncompressed = key.length == 65 && key[0] == 0x04;
        boolean compressed = key.length == 33 && (key[0] == 0x02 || key[0] == 0x03);
        if (!uncompressed && !compressed) {
            return false;
        }
        try {
            X9ECParameters p = CustomNamedCurves.getByName(curve);
            return p.getCurve().decodePoint(key).isValid();
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static Binding binding(ObjectNode o) {
        JsonNode b = o.get("binding");
        if (!(b instanceof ObjectNode binding)) {
            throw new RequestException("'binding' must be an object {owner, nonce, chainId}");
        }
        rejectUnknown(binding, Set.of("owner", "nonce", "chainId", "deviceId"), "binding.");
        String owner = requiredText(binding, "owner");
        if (!ADDRESS.matcher(owner).matches()) {
            throw new RequestException(OnboardingError.INVALID_OWNER_ADDRESS, "binding.owner must be 0x followed by 40 hex digits");
        }
        if (!EvmSignatures.isAcceptedSpelling(owner)) {
            throw new RequestException(OnboardingError.INVALID_OWNER_ADDRESS, "binding.owner is mixed case but not its EIP-55 checksum "
                    + "spelling (" + EvmSignatures.checksummed(owner) + "): a typo? Send it lowercase or EIP-55");
        }
        return new Binding(owner.toLowerCase(Locale.ROOT), integer(binding, "nonce", 1, Long.MAX_VALUE, null),
                integer(binding, "chainId", 1, Long.MAX_VALUE, null));
    }

    /** Base64url device signature; null when absent (the rules then say which one is missing). */
    private static byte[] deviceSignature(ObjectNode o, String name) {
        if (!o.hasNonNull(name) || text(o, name).isEmpty()) {
            return null;
        }
        return base64Url(text(o, name), OnboardingError.BAD_DEVICE_SIGNATURE, name);
    }

    /** 0x + 130 hex wallet signature; null when absent. */
    private static byte[] walletSignature(ObjectNode o, String name) {
        if (!o.hasNonNull(name) || text(o, name).isEmpty()) {
            return null;
        }
        String sig = text(o, name);
        if (!WALLET_SIGNATURE.matcher(sig).matches()) {
            throw new RequestException(OnboardingError.BAD_OWNER_SIGNATURE, "'" + name + "' must be 0x followed by 130 hex digits (r, s, v)");
        }
        return HexFormat.of().parseHex(sig.substring(2));
    }

    private static byte[] base64Url(String text, OnboardingError error, String name) {
        if (!BASE64URL.matcher(text).matches() || text.length() % 4 == 1) {
            throw new RequestException(error, "'" + name + "' must be base64url without padding");
        }
        try {
            return Encoding.fromBase64Url(text);
        } catch (IllegalArgumentException e) {
            throw new RequestException(error, "'" + name + "' must be base64url without padding");
        }
    }

    ObjectNode object(String body, Set<String> allowed) {
        if (body == null || body.isBlank()) {
            throw new RequestException("request body is empty (JSON object expected)");
        }
        if (body.length() > MAX_BODY) {
            throw new RequestException("request body is larger than " + MAX_BODY + " characters");
        }
        JsonNode node;
        try {
            node = json.readTree(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new RequestException("request body is not JSON: " + e.getOriginalMessage());
        }
        if (!(node instanceof ObjectNode o)) {
            throw new RequestException("request body must be a JSON object");
        }
        rejectUnknown(o, allowed, "");
        return o;
    }

    private static void rejectUnknown(ObjectNode o, Set<String> allowed, String prefix) {
        for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!allowed.contains(name)) {
                throw new RequestException("unknown member '" + prefix + name + "'");
            }
        }
    }

    private static String requiredText(ObjectNode o, String name) {
        if (!o.hasNonNull(name)) {
            throw new RequestException("'" + name + "' is required");
        }
        return text(o, name);
    }

    private static String text(ObjectNode o, String name) {
        JsonNode v = o.get(name);
        if (!v.isTextual()) {
            throw new RequestException("'" + name + "' must be a string");
        }
        return v.textValue();
    }

    private static long integer(ObjectNode o, String name, long min, long max, Integer fallback) {
        JsonNode v = o.get(name);
        if (v == null || v.isNull()) {
            if (fallback != null) {
                return fallback;
            }
            throw new RequestException("'" + name + "' is required");
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new RequestException("'" + name + "' must be an integer");
        }
        long value = v.longValue();
        if (value < min || value > max) {
            throw new RequestException("'" + name + "' must be between " + min + " and " + max);
        }
        return value;
    }
}
