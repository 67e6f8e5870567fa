package dev.flywheel.core.proof;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.core.types.sensor.SensorReadingType;
import dev.flywheel.core.verify.ReasonCode;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The proof types a network accepts, chosen by its configuration; a type outside the set is unknown. */
public final class ProofTypes {
    private static final ProofTypes BUILT_IN = new ProofTypes(List.of(
            new SensorReadingType(),
            new dev.flywheel.core.types.mobility.LocationTraceType(),
            new dev.flywheel.core.types.energy.MeterReadingType(),
            new dev.flywheel.core.types.coverage.CoverageBeaconType(),
            new dev.flywheel.core.types.coverage.CoverageWitnessType(),
            new dev.flywheel.core.types.uptime.UptimeResponseType()));

    private final Map<String, ProofType<?>> byWire = new LinkedHashMap<>();
    private final Map<Class<?>, ProofType<?>> byBody = new LinkedHashMap<>();

    private ProofTypes(Collection<ProofType<?>> types) {
        for (ProofType<?> t : types) {
            byWire.put(t.wireType(), t);
            byBody.put(t.bodyType(), t);
        }
    }

    /** Every type this code base implements. */
    public static ProofTypes builtIn() {
        return BUILT_IN;
    }

    /** The built-in types named in {@code wireTypes} (a network's configuration). */
    public static ProofTypes enabled(Set<String> wireTypes) {
        List<ProofType<?>> chosen = BUILT_IN.byWire.values().stream().filter(t -> wireTypes.contains(t.wireType())).toList();
        if (chosen.size() != wireTypes.size()) {
            throw new IllegalArgumentException("unknown proof types in " + wireTypes + "; built in: " + BUILT_IN.byWire.keySet());
        }
        return new ProofTypes(chosen);
    }

    public Set<String> wireTypes() {
        return byWire.keySet();
    }

    /** Whether {@code wireType} is a stationary type ({@link ProofType#stationary()}); false for a type outside the set. */
    public boolean stationary(String wireType) {
        ProofType<?> t = byWire.get(wireType);
        return t != null && t.stationary();
    }

    public ProofBody decode(String type, ObjectNode body) throws MalformedProofException {
        ProofType<?> t = byWire.get(type);
        if (t == null) {
            throw new MalformedProofException(ReasonCode.UNKNOWN_PROOF_TYPE, "type '" + BodyFields.truncate(type) + "'");
        }
        return t.decode(body);
    }

    @SuppressWarnings("unchecked")
    /** The body's wire form, by its built-in codec. */
    public static <B extends ProofBody> ObjectNode encode(B body) {
        ProofType<B> t = (ProofType<B>) BUILT_IN.byBody.get(body.getClass());
        if (t == null) {
            throw new IllegalArgumentException("no codec for " + body.getClass().getSimpleName());
        }
        return t.encode(body);
    }
}
