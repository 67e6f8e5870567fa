package dev.flywheel.core.types.bandwidth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.core.crypto.Encoding;
import dev.flywheel.core.crypto.SignatureScheme;
import dev.flywheel.core.proof.BodyFields;
import dev.flywheel.core.proof.MalformedProofException;
import dev.flywheel.core.proof.ProofCodec;
import dev.flywheel.core.proof.ProofType;
import dev.flywheel.core.proof.ReasonCode;
import dev.flywheel.core.proof.TypePorts;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code bandwidth.receipt}: {@code {"client": device id, "session": hex32, "bytes": int >= 1, "start": ms, "end": ms,
 * "clientSig": {"alg": scheme, "value": base64url}, "nodeBytes": int >= 0 (optional: the node's own log count)}}. Hex is lowercase and base64url unpadded (one spelling per value:
 * the proof is signed and credited as sent). The meaning is {@link BandwidthReceiptRule}'s.
 */
public final class BandwidthReceiptType implements ProofType<BandwidthReceipt> {
    private static final Set<String> MEMBERS = Set.of("client", "session", "bytes", "start", "end", "clientSig", "nodeBytes");
    private static final Pattern HEX32 = Pattern.compile("[0-9a-f]{32}");

    @Override
    public String wireType() {
        return BandwidthReceipt.TYPE;
    }

    @Override
    public Class<BandwidthReceipt> bodyType() {
        return BandwidthReceipt.class;
    }

    @Override
    public BandwidthReceipt decode(ObjectNode body) throws MalformedProofException {
        BodyFields.onlyMembers(body, MEMBERS);
        String client = BodyFields.text(body, "client");
        if (!ProofCodec.DEVICE_ID.matcher(client).matches()) {
            throw BodyFields.schema("'client' must match " + ProofCodec.DEVICE_ID.pattern());
        }
        String session = BodyFields.text(body, "session");
        if (!HEX32.matcher(session).matches()) {
            throw BodyFields.schema("'session' must be 32 lowercase hex digits");
        }
        long bytes = BodyFields.safeLong(body, "bytes");
        if (bytes < 1) {
            throw BodyFields.schema("'bytes' must be at least 1");
        }
        long start = BodyFields.safeLong(body, "start");
        long end = BodyFields.safeLong(body, "end");
        JsonNode sig = body.get("clientSig");
        if (sig == null || !sig.isObject() || sig.size() != 2 || !sig.path("alg").isTextual() || !sig.path("value").isTextual()) {
            throw BodyFields.schema("'clientSig' must be {\"alg\": string, \"value\": base64url}");
        }
        SignatureScheme scheme = SignatureScheme.fromWireId(sig.get("alg").textValue())
                .orElseThrow(() -> new MalformedProofException(ReasonCode.UNSUPPORTED_SIGNATURE_SCHEME,
                        "clientSig alg '" + BodyFields.truncate(sig.get("alg").textValue()) + "'"));
        String value = sig.get("value").textValue();
        try {
            if (!Encoding.base64Url(Encoding.fromBase64Url(value)).equals(value)) {
                throw BodyFields.schema("'clientSig.value' must be unpadded base64url");
            }
        } catch (IllegalArgumentException e) {
            throw BodyFields.schema("'clientSig.value' is not base64url");
        }
        Long nodeBytes = null;
        if (body.has("nodeBytes")) {
            nodeBytes = BodyFields.safeLong(body, "nodeBytes");
            if (nodeBytes < 0) {
                throw BodyFields.schema("'nodeBytes' must not be negative");
            }
        }
        return new BandwidthReceipt(client, session, bytes, start, end, scheme, value, nodeBytes);
    }

    @Override
    public ObjectNode encode(BandwidthReceipt r) {
        ObjectNode body = JsonNodeFactory.instance.objectNode()
                .put("client", r.client())
                .put("session", r.session())
                .put("bytes", r.bytes())
                .put("start", r.startMillis())
                .put("end", r.endMillis());
        body.putObject("clientSig").put("alg", r.clientScheme().wireId()).put("value", r.clientSignature());
        if (r.nodeBytes() != null) {
            body.put("nodeBytes", r.nodeBytes());
        }
        return body;
    }

    /** Needs the registry ({@link BandwidthDirectory}) and the session store ({@link BandwidthSessions}). */
    @Override
    public Optional<BandwidthReceiptRule> rule(TypePorts ports) {
        Optional<BandwidthDirectory> directory = ports.find(BandwidthDirectory.class);
        Optional<BandwidthSessions> sessions = ports.find(BandwidthSessions.class);
        if (directory.isEmpty() || sessions.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new BandwidthReceiptRule(directory.get(), sessions.get(), BandwidthLimits.defaults()));
    }

    @Override
    public List<BandwidthReason> reasons() {
        return List.of(BandwidthReason.values());
    }
}
