package dev.flywheel.core.types.bandwidth;

import dev.flywheel.core.crypto.Encoding;
import dev.flywheel.core.proof.DeviceRecord;
import dev.flywheel.core.proof.DeviceStatus;
import dev.flywheel.core.proof.PlausibilityChecks.Failure;
import dev.flywheel.core.proof.PriorProof;
import dev.flywheel.core.proof.ProofEnvelope;
import dev.flywheel.core.proof.ProofRule;
import dev.flywheel.core.proof.ReasonCode;
import dev.flywheel.core.proof.RejectionReason;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * {@code bandwidth.receipt}, in the order that rejects cheap faults first and writes last:
 * <ol>
 *   <li>the window is not empty, at most {@code maxWindow} long and ends no later than the proof's time
 *       ({@code interval_invalid}), and arrives at most {@code maxReceiptAge} after it ended ({@code receipt_expired});</li>
 *   <li>the client is not the node itself ({@code self_dealing}), is a registered, active device
 *       ({@code client_unknown}) and not owned by the node's owner ({@code self_dealing});</li>
 *   <li>the client's countersignature verifies with the client's registered key over {@link ClientReceipts#signingBytes}
 *       with this node's id ({@code bad_client_signature});</li>
 *   <li>the bytes fit the node's declared capacity over the window ({@code bandwidth_above_capacity}; a node that
 *       declared none can prove no bytes);</li>
 *   <li>when the node also reports its own log count ({@code nodeBytes}), the two agree within
 *       {@link #LOG_TOLERANCE_BPS} of the larger ({@code log_mismatch}): counters on both ends of a session differ by
 *       headers and retransmissions, not by more;</li>
 *   <li>one credit per client session ({@code session_reused}) and the per-pair and per-client caps of the period
 *       ({@code pair_cap_exceeded}, {@code client_cap_exceeded}): one atomic claim in {@link BandwidthSessions}, the
 *       last check, so a receipt rejected for anything else never uses up its session.</li>
 * </ol>
 * Reward units: whole {@code bytesPerUnit} (default 1 MB) of the receipt, or of the node's count when that is lower.
 */
public final class BandwidthReceiptRule implements ProofRule<BandwidthReceipt> {
    /** How far the node's and the client's counts may differ, in basis points of the larger: 1 %. */
    public static final long LOG_TOLERANCE_BPS = 100;
    private final BandwidthDirectory directory;
    private final BandwidthSessions sessions;
    private final BandwidthLimits limits;

    public BandwidthReceiptRule(BandwidthDirectory directory, BandwidthSessions sessions, BandwidthLimits limits) {
        this.directory = Objects.requireNonNull(directory, "directory");
        this.sessions = Objects.requireNonNull(sessions, "sessions");
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    @Override
    public Class<BandwidthReceipt> bodyType() {
        return BandwidthReceipt.class;
    }

    @Override
    public Optional<Failure> check(ProofEnvelope proof, BandwidthReceipt body, DeviceRecord device, Optional<PriorProof> prior) {
        throw new IllegalStateException("bandwidth.receipt checks need the server receive time: use the receivedAt overload");
    }

    @Override
    public Optional<Failure> check(ProofEnvelope proof, BandwidthReceipt r, DeviceRecord node, Optional<PriorProof> prior,
                                   Instant receivedAt) {
        Objects.requireNonNull(receivedAt, "receivedAt");
        long window = r.endMillis() - r.startMillis();
        Map<String, Object> windowEvidence = Map.of("start", r.startMillis(), "end", r.endMillis(),
                "proofTime", proof.deviceTime().toEpochMilli(), "maxWindowMillis", limits.maxWindow().toMillis());
        if (window <= 0) {
            return fail(ReasonCode.INTERVAL_INVALID, "the receipt's window is empty or inverted", windowEvidence);
        }
        if (window > limits.maxWindow().toMillis()) {
            return fail(ReasonCode.INTERVAL_INVALID, "the receipt covers " + window + " ms, more than " + limits.maxWindow(), windowEvidence);
        }
        if (r.endMillis() > proof.deviceTime().toEpochMilli()) {
            return fail(ReasonCode.INTERVAL_INVALID, "the receipt's window ends after the proof's time", windowEvidence);
        }
        long age = receivedAt.toEpochMilli() - r.endMillis();
        if (age > limits.maxReceiptAge().toMillis()) {
            return fail(BandwidthReason.RECEIPT_EXPIRED, "the receipt arrived " + age + " ms after its window ended",
                    Map.of("end", r.endMillis(), "receivedAt", receivedAt.toEpochMilli(), "limitMillis", limits.maxReceiptAge().toMillis()));
        }
        if (r.client().equals(node.deviceId())) {
            return fail(BandwidthReason.SELF_DEALING, "the node names itself as its client", Map.of("client", r.client()));
        }
        Optional<DeviceRecord> found = directory.client(r.client());
        if (found.isEmpty() || found.get().status() != DeviceStatus.ACTIVE) {
            return fail(BandwidthReason.CLIENT_UNKNOWN, found.isEmpty() ? "the client is not registered" : "the client is " + found.get().status(),
                    Map.of("client", r.client()));
        }
        DeviceRecord client = found.get();
        if (client.owner().equalsIgnoreCase(node.owner())) {
            return fail(BandwidthReason.SELF_DEALING, "client and node have the same owner", Map.of("client", r.client(), "owner", node.owner()));
        }
        byte[] signature;
        try {
            signature = Encoding.fromBase64Url(r.clientSignature());
        } catch (IllegalArgumentException e) {
            return fail(BandwidthReason.BAD_CLIENT_SIGNATURE, "the client signature is not base64url", Map.of("client", r.client()));
        }
        // Verified against the client's registered key, never a key the receipt carries.
        if (r.clientScheme() != client.scheme()
                || !client.scheme().verify(client.publicKey(), ClientReceipts.signingBytes(node.deviceId(), r), signature)) {
            return fail(BandwidthReason.BAD_CLIENT_SIGNATURE, "the client signature does not verify with the client's registered key",
                    Map.of("client", r.client(), "alg", r.clientScheme().wireId()));
        }
        OptionalLong capacity = directory.capacityBytesPerSecond(node.deviceId());
        long allowed = capacity.isEmpty() ? 0 : allowedBytes(capacity.getAsLong(), window);
        if (r.bytes() > allowed) {
            return fail(BandwidthReason.BANDWIDTH_ABOVE_CAPACITY, capacity.isEmpty()
                            ? "the node declared no bandwidth capacity"
                            : r.bytes() + " bytes in " + window + " ms exceed the declared " + capacity.getAsLong() + " bytes/s",
                    Map.of("bytes", r.bytes(), "windowMillis", window, "declaredBytesPerSecond", capacity.orElse(0), "allowedBytes", allowed));
        }
        if (r.nodeBytes() != null && logsDisagree(r.bytes(), r.nodeBytes())) {
            return fail(BandwidthReason.LOG_MISMATCH, "the node counted " + r.nodeBytes() + " bytes, the client " + r.bytes(),
                    Map.of("bytes", r.bytes(), "nodeBytes", r.nodeBytes(), "toleranceBps", LOG_TOLERANCE_BPS));
        }
        if (r.bytes() > limits.pairCapBytes()) {
            return fail(BandwidthReason.PAIR_CAP_EXCEEDED, "one receipt exceeds the pair cap",
                    Map.of("bytes", r.bytes(), "usedBytes", 0L, "capBytes", limits.pairCapBytes()));
        }
        if (r.bytes() > limits.clientCapBytes()) {
            return fail(BandwidthReason.CLIENT_CAP_EXCEEDED, "one receipt exceeds the client cap",
                    Map.of("bytes", r.bytes(), "usedBytes", 0L, "capBytes", limits.clientCapBytes()));
        }
        long period = Math.floorDiv(receivedAt.toEpochMilli(), limits.capPeriod().toMillis());
        var outcome = sessions.claim(new BandwidthSessions.Claim(r.client(), r.session(), node.deviceId(), period, r.bytes(),
                limits.pairCapBytes(), limits.clientCapBytes(), proof.proofId()));
        return switch (outcome) {
            case BandwidthSessions.Outcome.Granted g -> Optional.empty();
            case BandwidthSessions.Outcome.SessionReused s -> fail(BandwidthReason.SESSION_REUSED,
                    "the client's session was already credited", Map.of("client", r.client(), "session", r.session(), "firstProofId", s.firstProofId()));
            case BandwidthSessions.Outcome.PairCapExceeded p -> fail(BandwidthReason.PAIR_CAP_EXCEEDED,
                    "the client-node pair would pass its cap for the period",
                    Map.of("bytes", r.bytes(), "usedBytes", p.usedBytes(), "capBytes", limits.pairCapBytes(), "period", period));
            case BandwidthSessions.Outcome.ClientCapExceeded c -> fail(BandwidthReason.CLIENT_CAP_EXCEEDED,
                    "the client would pass its cap for the period",
                    Map.of("bytes", r.bytes(), "usedBytes", c.usedBytes(), "capBytes", limits.clientCapBytes(), "period", period));
        };
    }

    @Override
    public long workUnits(BandwidthReceipt body) {
        long served = body.nodeBytes() == null ? body.bytes() : Math.min(body.bytes(), body.nodeBytes());
        return served / limits.bytesPerUnit();
    }

    /** |client - node| above the tolerance of the larger count, in exact arithmetic. */
    static boolean logsDisagree(long clientBytes, long nodeBytes) {
        java.math.BigInteger difference = java.math.BigInteger.valueOf(Math.abs(clientBytes - nodeBytes));
        java.math.BigInteger allowed = java.math.BigInteger.valueOf(Math.max(clientBytes, nodeBytes)).multiply(java.math.BigInteger.valueOf(LOG_TOLERANCE_BPS));
        return difference.multiply(java.math.BigInteger.valueOf(10_000)).compareTo(allowed) > 0;
    }

    /** {@code capacity x window}, saturating instead of overflowing. */
    static long allowedBytes(long bytesPerSecond, long windowMillis) {
        try {
            return Math.multiplyExact(bytesPerSecond, windowMillis) / 1000;
        } catch (ArithmeticException overflow) {
            return Long.MAX_VALUE;
        }
    }

    private static Optional<Failure> fail(RejectionReason reason, String detail, Map<String, Object> evidence) {
        return Optional.of(new Failure(reason, detail, evidence));
    }
}
