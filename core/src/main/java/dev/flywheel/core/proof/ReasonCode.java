package dev.flywheel.core.proof;

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
    VALUE_OUT_OF_RANGE,
    // sensor.reading (beyond the physical range)
    /** The Nth identical sensor.reading in a row (default N = 12): a sensor stuck on one value. */
    STUCK_VALUE,
    /** A sensor.reading changed faster per minute than the metric can (against the previous reading). */
    RATE_OF_CHANGE,
    /** A sensor.reading too far from the median of at least 3 neighbours' recent readings (same H3 res-5 cell). */
    NEIGHBOUR_DISAGREEMENT,
    // Network entropy (proofs that must not be precomputed)
    /** The proof carries entropy the network never published (or published only after the proof arrived). */
    ENTROPY_UNKNOWN,
    /** The proof's entropy was older than the entropy window (default 180 s) when the proof arrived. */
    ENTROPY_STALE,
    // uptime.response (service challenges)
    /** The answered challenge was never issued (or has expired from the challenge store). */
    CHALLENGE_UNKNOWN,
    /** The challenge was issued to another device. */
    CHALLENGE_NOT_FOR_DEVICE,
    /** The answer arrived after the challenge's deadline (server receive time). */
    CHALLENGE_EXPIRED,
    /** The response differs from the answer the network expected (it knew the served data's digest). */
    CHALLENGE_RESPONSE_MISMATCH,
    /** Another proof already answered this challenge: one answer per challenge. */
    CHALLENGE_ALREADY_ANSWERED,
    // mobility.trace
    /** A fix is not good enough to prove a position: hdop too high, too few satellites, not a 3D fix. */
    GNSS_QUALITY,
    /** Two consecutive fixes of one trace imply a speed above the network's limit. */
    SPEED_IMPLAUSIBLE,
    /** The trace's first fix is too far from the previous trace's last fix for the time between them. */
    TELEPORT,
    /** The trace repeats the previous trace's positions, or stands frozen on one position: replayed or synthetic. */
    REPEATED_TRACE,
    /** The trace starts before the previous accepted trace ended. */
    TRACE_OUT_OF_ORDER,
    // energy.meter
    /** The reading's interval is empty, inverted, too long, or ends after the proof's time. */
    INTERVAL_INVALID,
    /** The cumulative energy counter went backwards (a reset, or a replayed older reading). */
    COUNTER_DECREASED,
    /** The energy implies an average power above the rated capacity (or the network's maximum). */
    POWER_ABOVE_CAPACITY,
    /** The interval starts before the previous accepted reading's interval ended. */
    OVERLAPPING_INTERVAL,
    // coverage.beacon / coverage.witness (Helium-style proof of coverage; docs/reason-codes.md)
    /** The device (beaconer or witness) has no valid asserted H3 location. */
    LOCATION_NOT_ASSERTED,
    /** The asserted location resolves to no radio region (RegionResolver). */
    REGION_UNKNOWN,
    /** The device's previous accepted beacon arrived less than the beacon interval (6 h) earlier. */
    BEACON_TOO_FREQUENT,
    /** The beacon payload/id is not the one derived from entropy and device id, or a witness reports other bytes. */
    PAYLOAD_MISMATCH,
    /** A witness references a beacon that was never accepted (window closed without it). */
    BEACON_NOT_FOUND,
    /** The same witness device already reported this beacon (earlier arrival wins). */
    DUPLICATE_WITNESS,
    /** The beaconer/witness pair is banned by the operator. */
    BANNED_PAIR,
    /** A device witnessed its own beacon. */
    SELF_WITNESS,
    /** The witness arrived more than 4000 ms after the beacon or 1500 ms after the first witness. */
    WITNESS_TOO_LATE,
    /** The witness frequency differs from the beacon's by more than 100 kHz. */
    FREQUENCY_MISMATCH,
    /** Beaconer and witness are asserted in different radio regions. */
    REGION_MISMATCH,
    /** Fewer than 8 H3 resolution-11 cells between beaconer and witness. */
    WITNESS_TOO_CLOSE,
    /** More than 100 km between beaconer and witness. */
    WITNESS_TOO_FAR,
    /** The witness RSSI is stronger than free-space path loss allows for the distance. */
    RSSI_TOO_STRONG,
    /** No valid opposite report in the reciprocity window (48 h): beaconer never witnessed / witness never beaconed. */
    NO_RECIPROCITY,
    /** Valid witness past the first 14 by arrival: kept, not rewarded (a flag, not a rejection). */
    WITNESS_CAP_EXCEEDED,
    // Location consistency (stationary proof types)
    /** A stationary proof's {@code loc.h3} lies further from the device's asserted cell than the policy allows (default 1 000 m). */
    LOCATION_MISMATCH,
    // bandwidth.receipt (client-countersigned usage; its window faults are interval_invalid)
    /** The receipt arrived more than the receipt age limit (default 1 h) after its window ended. */
    RECEIPT_EXPIRED,
    /** The client is the node itself, or client and node have the same owner. */
    SELF_DEALING,
    /** The receipt's client is not a registered, active device. */
    CLIENT_UNKNOWN,
    /** The client's countersignature does not verify with the client's registered key. */
    BAD_CLIENT_SIGNATURE,
    /** The bytes exceed what the node's declared capacity (bytes per second) allows over the window. */
    BANDWIDTH_ABOVE_CAPACITY,
    /** The client's session nonce was already credited (one credit per client and session). */
    SESSION_REUSED,
    /** The client-node pair would pass its per-period byte cap. */
    PAIR_CAP_EXCEEDED,
    /** The client would pass its per-period byte cap over all nodes. */
    CLIENT_CAP_EXCEEDED;

    /** The wire form, e.g. {@code bad_signature}: what receipts, metrics and the demo summary show. */
    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
