package dev.flywheel.core.verify;

import dev.flywheel.core.proof.ProofBody;
import dev.flywheel.core.proof.ProofEnvelope;
import dev.flywheel.core.types.sensor.SensorReadingRule;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Physical plausibility: dispatches each proof to its type's {@link ProofRule}. */
public final class PlausibilityChecks {

    public record Failure(ReasonCode reason, String detail, Map<String, Object> evidence) {
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

    /** The rules of every built-in proof type with their default limits. */
    public static PlausibilityChecks defaults() {
        return new PlausibilityChecks(List.of(SensorReadingRule.defaults()));
    }

    public Optional<Failure> check(ProofEnvelope proof, DeviceRecord device) {
        return check(proof, device, PriorProofs.NONE);
    }

    public Optional<Failure> check(ProofEnvelope proof, DeviceRecord device, PriorProofs prior) {
        return checkTyped(proof, proof.body(), device, prior);
    }

    public long workUnits(ProofBody body) {
        return workUnitsTyped(body);
    }

    @SuppressWarnings("unchecked")
    private <B extends ProofBody> Optional<Failure> checkTyped(ProofEnvelope proof, B body, DeviceRecord device,
                                                               PriorProofs prior) {
        ProofRule<B> rule = (ProofRule<B>) rules.get(body.getClass());
        if (rule == null) {
            return Optional.of(new Failure(ReasonCode.UNKNOWN_PROOF_TYPE,
                    "this network does not accept " + body.type() + " proofs", Map.of()));
        }
        return rule.check(proof, body, device,
                rule.needsPrior() ? prior.last(device.deviceId(), body.type()) : Optional.empty());
    }

    @SuppressWarnings("unchecked")
    private <B extends ProofBody> long workUnitsTyped(B body) {
        ProofRule<B> rule = (ProofRule<B>) rules.get(body.getClass());
        return rule == null ? 0 : rule.workUnits(body);
    }
}
