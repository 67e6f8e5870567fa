package dev.flywheel.core.proof;

/**
 * The generic reasons a proof is not credited, whatever its type: envelope and encoding, identity, signature, time,
 * replay, rate, location, network entropy, and the codes several types share. A proof type's own codes live in an
 * enum in its package ({@link RejectionReason}, {@link ProofType#reasons()}). Every rejection is stored with one (a
 * paper trail, as Helium keeps its invalid-report reasons); {@code docs/reason-codes.md} documents each. Codes are
 * stable wire values: add new ones, never rename.
 */
public enum ReasonCode implements RejectionReason {
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
    // Network entropy (proofs that must not be precomputed)
    /** The proof carries entropy the network never published (or published only after the proof arrived). */
    ENTROPY_UNKNOWN,
    /** The proof's entropy was older than the entropy window (default 180 s) when the proof arrived. */
    ENTROPY_STALE,
    // Shared by several types (energy.meter, bandwidth.receipt)
    /** An energy.meter interval or a bandwidth.receipt window is empty, inverted, too long, or ends after the proof's time. */
    INTERVAL_INVALID,
    // Location consistency (stationary proof types)
    /** A stationary proof's {@code loc.h3} lies further from the device's asserted cell than the policy allows (default 1 000 m). */
    LOCATION_MISMATCH;

    /** The wire form, e.g. {@code bad_signature}: what receipts, metrics and the demo summary show. */
    @Override
    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
