package dev.flywheel.core.verify;

import dev.flywheel.core.proof.DeviceRecord;
import dev.flywheel.core.proof.PlausibilityChecks;
import dev.flywheel.core.proof.PriorProofs;
import dev.flywheel.core.proof.ReasonCode;
import dev.flywheel.core.proof.MalformedProofException;
import dev.flywheel.core.proof.ProofCodec;
import dev.flywheel.core.proof.ProofEnvelope;
import dev.flywheel.core.proof.ProofTypes;
import dev.flywheel.core.geo.CellGeometry;
import dev.flywheel.core.proof.RejectionReason;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The stateless part of verification: encoding, identity, signature, time, location consistency and
 * physical plausibility, in the order that rejects cheap faults before paying for a signature check.
 * Stateful checks that need an atomic write (replay of a sequence number, duplicate delivery)
 * happen where the verdict is recorded.
 */
public final class ProofVerifier {
    private final DeviceDirectory devices;
    private final Predicate<String> denylist;
    private final VerificationPolicy policy;
    private final PlausibilityChecks plausibility;
    private final ProofTypes types;
    private final PriorProofs prior;

    /** Every built-in proof type, no memory of earlier proofs. */
    public ProofVerifier(DeviceDirectory devices, Predicate<String> denylist, VerificationPolicy policy,
                         PlausibilityChecks plausibility) {
        this(devices, denylist, policy, plausibility, ProofTypes.builtIn(), PriorProofs.NONE);
    }

    /**
     * @param types the proof types this network accepts (others are {@code unknown_proof_type})
     * @param prior each device's last accepted proof per type, for checks across proofs
     */
    public ProofVerifier(DeviceDirectory devices, Predicate<String> denylist, VerificationPolicy policy,
                         PlausibilityChecks plausibility, ProofTypes types, PriorProofs prior) {
        this.devices = devices;
        this.denylist = denylist;
        this.policy = policy;
        this.plausibility = plausibility;
        this.types = types;
        this.prior = prior;
    }

    /** Lets the device directory read a batch's devices together before {@link #verify} asks for them one by one. */
    public void prefetch(java.util.List<InboundProof> batch) {
        devices.prefetch(batch.stream().map(InboundProof::topicDeviceId)
                .filter(d -> d != null && !InboundProof.UNATTRIBUTED.equals(d)).distinct().toList());
    }

    public Verdict verify(InboundProof in) {
        String topicDevice = in.topicDeviceId();
        ProofEnvelope proof;
        try {
            proof = ProofCodec.decode(in.payload(), types);
        } catch (MalformedProofException e) {
            return Verdict.Rejected.of(topicDevice, e.reason(), e.getMessage());
        }
        if (!proof.deviceId().equals(topicDevice)) {
            return reject(topicDevice, proof, ReasonCode.TOPIC_DEVICE_MISMATCH,
                    "envelope names '" + proof.deviceId() + "' but arrived on the topic of '" + topicDevice + "'", Map.of());
        }
        if (denylist.test(topicDevice)) {
            return reject(topicDevice, proof, ReasonCode.DENYLISTED, "device is on the operator denylist", Map.of());
        }
        Optional<DeviceRecord> found = devices.find(topicDevice);
        if (found.isEmpty()) {
            return reject(topicDevice, proof, ReasonCode.UNKNOWN_DEVICE, "device is not registered", Map.of());
        }
        DeviceRecord device = found.get();
        switch (device.status()) {
            case ACTIVE -> { }
            case SUSPENDED -> {
                return reject(topicDevice, proof, ReasonCode.DEVICE_SUSPENDED, "device is suspended", Map.of());
            }
            case REVOKED -> {
                return reject(topicDevice, proof, ReasonCode.DEVICE_REVOKED, "device certificate is revoked", Map.of());
            }
        }
        long skew = proof.deviceTime().toEpochMilli() - in.receivedAt().toEpochMilli();
        Map<String, Object> timing = Map.of("clockSkewMillis", skew, "receivedAt", in.receivedAt().toEpochMilli());
        if (skew > policy.maxFutureSkew().toMillis()) {
            return reject(topicDevice, proof, ReasonCode.FROM_FUTURE,
                    "device time is " + Duration.ofMillis(skew) + " ahead of the server", withLimit(timing, policy.maxFutureSkew()));
        }
        if (-skew > policy.maxAge().toMillis()) {
            return reject(topicDevice, proof, ReasonCode.STALE,
                    "proof is " + Duration.ofMillis(-skew) + " old", withLimit(timing, policy.maxAge()));
        }
        if (proof.scheme() != device.scheme()) {
            return reject(topicDevice, proof, ReasonCode.SIGNATURE_SCHEME_MISMATCH,
                    "signed with " + proof.scheme().wireId() + ", registered key is " + device.scheme().wireId(), Map.of());
        }
        // Verified against the registered key, never a key the message carries.
        if (!proof.scheme().verify(device.publicKey(), proof.signedBytes(), proof.signature())) {
            return reject(topicDevice, proof, ReasonCode.BAD_SIGNATURE,
                    "signature does not verify with the registered key", Map.of());
        }
        Optional<Verdict.Rejected> misplaced = checkLocation(topicDevice, proof, device);
        if (misplaced.isPresent()) {
            return misplaced.get();
        }
        Optional<PlausibilityChecks.Failure> implausible = plausibility.check(proof, device, prior, in.receivedAt());
        if (implausible.isPresent()) {
            PlausibilityChecks.Failure f = implausible.get();
            return reject(topicDevice, proof, f.reason(), f.detail(), f.evidence());
        }
        return new Verdict.Accepted(proof, device, skew, plausibility.workUnits(proof.body()));
    }

    /**
     * A stationary proof's {@code loc.h3} must lie within {@link VerificationPolicy#maxLocationOffsetMeters()} of the
     * device's asserted cell (great circle between the cell centres; exactly the limit passes). Not checked when the
     * proof has no {@code loc}, the device has no valid asserted cell (the coverage rules report that), or the type
     * is not stationary ({@code mobility.trace}). A {@code loc.h3} the decoder let through (15 lowercase hex digits)
     * that is not a real H3 cell is {@code schema_invalid} here: skipping it would let a device evade the check.
     */
    private Optional<Verdict.Rejected> checkLocation(String topicDevice, ProofEnvelope proof, DeviceRecord device) {
        String claimed = proof.h3Cell();
        String asserted = device.h3Cell();
        if (claimed == null || asserted == null || !types.stationary(proof.type()) || !CellGeometry.isValidCell(asserted)) {
            return Optional.empty();
        }
        if (claimed.equals(asserted)) {
            // The usual honest case, decided without the native H3 calls: distance 0 is within any limit.
            return Optional.empty();
        }
        if (!CellGeometry.isValidCell(claimed)) {
            return Optional.of(reject(topicDevice, proof, ReasonCode.SCHEMA_INVALID,
                    "'loc.h3' is not a valid H3 cell", Map.of()));
        }
        double meters = CellGeometry.distanceMeters(claimed, asserted);
        double limit = policy.maxLocationOffsetMeters();
        if (meters > limit) {
            return Optional.of(reject(topicDevice, proof, ReasonCode.LOCATION_MISMATCH,
                    String.format(java.util.Locale.ROOT, "'loc.h3' %s is %.1f m from the asserted cell %s (limit %.1f m)",
                            claimed, meters, asserted, limit),
                    Map.of("distanceMeters", meters, "limitMeters", limit)));
        }
        return Optional.empty();
    }

    private static Map<String, Object> withLimit(Map<String, Object> evidence, Duration limit) {
        var m = new java.util.HashMap<>(evidence);
        m.put("limitMillis", limit.toMillis());
        return m;
    }

    private static Verdict.Rejected reject(String deviceId, ProofEnvelope proof, RejectionReason reason, String detail,
                                           Map<String, Object> evidence) {
        return new Verdict.Rejected(deviceId, reason, detail, proof.proofId(), proof.sequence(), evidence);
    }

}
