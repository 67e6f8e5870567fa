package dev.flywheel.verifier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flywheel.core.proof.ProofCodec;
import dev.flywheel.core.verify.InboundProof;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/**
 * The SQS message body the IoT rule writes:
 * {@code SELECT encode(*, 'base64') AS payload, topic(3) AS thing, topic() AS topic, timestamp() AS receivedAt}.
 * The payload travels base64-encoded so any bytes, even invalid JSON, reach the verifier intact.
 */
final class RuleMessage {
    static final String UNATTRIBUTED = InboundProof.UNATTRIBUTED;

    private RuleMessage() {
    }

    /** The delivery, or empty when the body is not a rule message at all; {@code json}: the context's mapper. */
    static Optional<InboundProof> parse(ObjectMapper json, String messageId, String body) {
        try {
            JsonNode node = json.readTree(body);
            JsonNode payload = node.path("payload");
            JsonNode thing = node.path("thing");
            JsonNode receivedAt = node.path("receivedAt");
            // The thing must be a valid thing name: a blank one cannot be stored (it keys the byDevice index),
            // and would fail the message on every redelivery instead of recording its rejection.
            if (!payload.isTextual() || !thing.isTextual() || !ProofCodec.DEVICE_ID.matcher(thing.textValue()).matches()
                    || !receivedAt.canConvertToLong()) {
                return Optional.empty();
            }
            return Optional.of(new InboundProof(messageId, thing.textValue(), Instant.ofEpochMilli(receivedAt.longValue()),
                    Base64.getDecoder().decode(payload.textValue())));
        } catch (Exception notARuleMessage) {
            return Optional.empty();
        }
    }

    /** A body that could not be read, as a delivery of the unattributed device (its rejection is recorded, not its bytes). */
    static InboundProof unreadable(String messageId, String body, Instant now) {
        return new InboundProof(messageId, UNATTRIBUTED, now, body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8));
    }
}
