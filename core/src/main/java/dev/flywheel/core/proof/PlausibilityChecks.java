package dev.flywheel.core.proof;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Physical plausibility: dispatches each proof to its type's {@link ProofRule}. */
public final class PlausibilityChecks {

    public record Failure(RejectionReason reason, String detail, Map<String, Object> evidence) {
        public Failure {
            evidence = Map.copyOf(evidence);
        }
    }

    private final Map<Class<?>, ProofRule<?>> rules = new LinkedHashMap<>();

    public PlausibilityChecks(Collection<? extends ProofRule<?>> rules) {
        for (ProofRule<?> rule : rules) {
            this.rules.put(rule.bodyType(), rule);
        }
    }

    /** The rules of the registered proof types that need no port, with their default limits. */
    public static List<ProofRule<?>> standaloneRules() {
        return ProofTypes.builtIn().rules(TypePorts.none());
    }

    /**
     * The standalone rules only: coverage needs network entropy, uptime the challenge store and bandwidth receipts
     * their session ledger, so a network that rewards them builds its checks with those ports
     * ({@link ProofTypes#checks(TypePorts)}).
     */
    public static PlausibilityChecks defaults() {
        return new PlausibilityChecks(standaloneRules());
    }

    public Optional<Failure> check(ProofEnvelope proof, DeviceRecord device) {
        return check(proof, device, PriorProofs.NONE);
    }

    public Optional<Failure> check(ProofEnvelope proof, DeviceRecord device, PriorProofs prior) {
        return checkTyped(proof, proof.body(), device, prior, null);
    }

    /** With the server receive time, which rules judging time against the server clock need (ProofRule 5-arg check). */
    public Optional<Failure> check(ProofEnvelope proof, DeviceRecord device, PriorProofs prior, java.time.Instant receivedAt) {
        return checkTyped(proof, proof.body(), device, prior, java.util.Objects.requireNonNull(receivedAt, "receivedAt"));
    }

    public long workUnits(ProofBody body) {
        return workUnitsTyped(body);
    }

    @SuppressWarnings("unchecked")
    private <B extends ProofBody> Optional<Failure> checkTyped(ProofEnvelope proof, B body, DeviceRecord device,
                                                               PriorProofs prior, java.time.Instant receivedAt) {
        ProofRule<B> rule = (ProofRule<B>) rules.get(body.getClass());
        if (rule == null) {
            return Optional.of(new Failure(ReasonCode.UNKNOWN_PROOF_TYPE,
                    "this network does not accept " + body.type() + " proofs", Map.of()));
        }
        Optional<PriorProof> last = rule.needsPrior() ? prior.last(device.deviceId(), body.type()) : Optional.empty();
        return receivedAt == null ? rule.check(proof, body, device, last) : rule.check(proof, body, device, last, receivedAt);
    }

    @SuppressWarnings("unchecked")
    private <B extends ProofBody> long workUnitsTyped(B body) {
        ProofRule<B> rule = (ProofRule<B>) rules.get(body.getClass());
        return rule == null ? 0 : rule.workUnits(body);
    }
}
