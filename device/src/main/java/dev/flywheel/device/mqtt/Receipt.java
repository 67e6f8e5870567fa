package dev.flywheel.device.mqtt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;

/**
 * The backend's verdict on one proof, as published on {@code flywheel/v1/<deviceId>/receipts}:
 * {@code {"proofId":..,"seq":..,"outcome":"accepted"|"rejected","reason":..}}.
 *
 * @param deviceId from the topic the receipt arrived on
 * @param seq      -1 when the receipt has none (e.g. a proof too malformed to carry one)
 * @param reason   a {@code ReasonCode} wire value for rejections, null for acceptances
 */
public record Receipt(String deviceId, String proofId, long seq, String outcome, String reason) {

    public static final String ACCEPTED = "accepted";
    public static final String REJECTED = "rejected";
    private static final ObjectMapper JSON = new ObjectMapper();

    public boolean accepted() {
        return ACCEPTED.equals(outcome);
    }

    /**
     * Parses a receipt leniently (unknown members ignored: the backend may add some).
     *
     * @throws IllegalArgumentException when the payload is not a JSON object with a string {@code outcome}
     */
    public static Receipt parse(String deviceId, byte[] payload) {
        JsonNode root;
        try {
            root = JSON.readTree(payload);
        } catch (IOException e) {
            throw new IllegalArgumentException("receipt is not JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject() || !root.path("outcome").isTextual()) {
            throw new IllegalArgumentException("receipt must be a JSON object with a string 'outcome'");
        }
        JsonNode seq = root.path("seq");
        JsonNode reason = root.path("reason");
        return new Receipt(deviceId,
                root.path("proofId").isTextual() ? root.get("proofId").textValue() : null,
                seq.canConvertToLong() && seq.isIntegralNumber() ? seq.longValue() : -1,
                root.get("outcome").textValue(),
                reason.isTextual() ? reason.textValue() : null);
    }
}
