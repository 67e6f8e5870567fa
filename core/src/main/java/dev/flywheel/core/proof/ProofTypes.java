package dev.flywheel.core.proof;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * The registry of proof types: every {@link ProofType} registered in {@code META-INF/services/} on the class path
 * ({@link #builtIn()}), or the subset a network's configuration enables. A type outside the set is unknown. Nothing
 * else in the code base lists the types: the verifier and the epoch closer both ask this class.
 */
public final class ProofTypes {
    private static final ProofTypes REGISTERED = new ProofTypes(load());
    private static final Map<String, RejectionReason> REASONS = reasons(REGISTERED.byWire.values());

    private final Map<String, ProofType<?>> byWire = new LinkedHashMap<>();
    private final Map<Class<?>, ProofType<?>> byBody = new LinkedHashMap<>();

    private ProofTypes(Collection<ProofType<?>> types) {
        for (ProofType<?> t : types) {
            if (byWire.put(t.wireType(), t) != null || byBody.put(t.bodyType(), t) != null) {
                throw new IllegalStateException("proof type " + t.wireType() + " (" + t.bodyType().getName() + ") is registered twice");
            }
        }
    }

    private static List<ProofType<?>> load() {
        List<ProofType<?>> found = new ArrayList<>();
        for (ProofType<?> t : ServiceLoader.load(ProofType.class, ProofTypes.class.getClassLoader())) {
            found.add(t);
        }
        return found;
    }

    /** The generic codes, then each registered type's own; a wire value claimed twice stops the registry loading. */
    private static Map<String, RejectionReason> reasons(Collection<ProofType<?>> types) {
        Map<String, RejectionReason> byWire = new LinkedHashMap<>();
        List<RejectionReason> all = new ArrayList<>(List.of(ReasonCode.values()));
        types.forEach(t -> all.addAll(t.reasons()));
        for (RejectionReason r : all) {
            RejectionReason before = byWire.putIfAbsent(r.wire(), r);
            if (before != null && before != r) {
                throw new IllegalStateException("reason code " + r.wire() + " is declared by both " + before.getClass().getName()
                        + " and " + r.getClass().getName());
            }
        }
        return Map.copyOf(byWire);
    }

    /** The reason with this wire value, generic or of any registered type (e.g. to read a stored verdict back). */
    public static Optional<RejectionReason> reason(String wire) {
        return Optional.ofNullable(REASONS.get(wire));
    }

    /** Every reason code: the generic ones and every registered type's own. */
    public static Collection<RejectionReason> reasons() {
        return REASONS.values();
    }

    /** Every registered type (the name is kept from when the list was written here by hand). */
    public static ProofTypes builtIn() {
        return REGISTERED;
    }

    /** The registered types named in {@code wireTypes} (a network's configuration). */
    public static ProofTypes enabled(Set<String> wireTypes) {
        List<ProofType<?>> chosen = REGISTERED.byWire.values().stream().filter(t -> wireTypes.contains(t.wireType())).toList();
        if (chosen.size() != wireTypes.size()) {
            throw new IllegalArgumentException("unknown proof types in " + wireTypes + "; built in: " + REGISTERED.byWire.keySet());
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

    /** The rules of these types that {@code ports} can build, in registration order; a type needing a missing port has none. */
    public List<ProofRule<?>> rules(TypePorts ports) {
        List<ProofRule<?>> rules = new ArrayList<>();
        for (ProofType<?> t : byWire.values()) {
            t.rule(ports).ifPresent(rules::add);
        }
        return rules;
    }

    /** The plausibility checks of these types, as {@link #rules} builds them. */
    public PlausibilityChecks checks(TypePorts ports) {
        return new PlausibilityChecks(rules(ports));
    }

    @SuppressWarnings("unchecked")
    /** The body's wire form, by its registered codec. */
    public static <B extends ProofBody> ObjectNode encode(B body) {
        ProofType<B> t = (ProofType<B>) REGISTERED.byBody.get(body.getClass());
        if (t == null) {
            throw new IllegalArgumentException("no codec for " + body.getClass().getSimpleName());
        }
        return t.encode(body);
    }
}
