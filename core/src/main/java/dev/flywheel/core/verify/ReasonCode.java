package dev.flywheel.core.verify;

/**
 * Why a proof was not credited. Every rejection is stored with one of these (a paper trail, as
 * Helium keeps its invalid-report reasons); {@code docs/reason-codes.md} documents each.
 * Codes are stable wire values: add new ones, never rename.
 */
public enum ReasonCode {
    // Envelope and encoding
    /** The queue message is not what the IoT rule produces (no payload/thing): cannot be attributed. */
    INVALID_RULE_MESSAGE,
    PAYLOAD_TOO_LARGE,
    MALFORMED_JSON,
    NON_CANONICAL_VALUE,
    SCHEMA_INVALID,
    UNSUPPORTED_VERSION,
    UNKNOWN_PROOF_TYPE,
    // Identity
    TOPIC_DEVICE_MISMATCH,
    UNKNOWN_DEVICE,
    DEVICE_SUSPENDED,
    DEVICE_REVOKED,
    DENYLISTED,
    UNSUPPORTED_SIGNATURE_SCHEME,
    SIGNATURE_SCHEME_MISMATCH,
    BAD_SIGNATURE,
    // Time and replay
    STALE,
    FROM_FUTURE,
    /** The same signed proof arrived again in another delivery (a replay, or a duplicate publish). */
    REPLAYED,
    /** A different proof reused a sequence number the device already used. */
    SEQUENCE_REUSED,
    /** The device sent more accepted proofs in the rate window than the network allows. */
    RATE_LIMITED,
    // Physical plausibility (per proof type)
    VALUE_OUT_OF_RANGE;

    /** The wire form, e.g. {@code bad_signature}: what receipts, metrics and the demo summary show. */
    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
