package dev.flywheel.core.proof;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The ports proof types may ask for, by interface: a type declares a port (e.g. {@code ChallengeLookup}) in its own
 * package, an adapter implements it, and the factory that wires a network puts the adapter here. The generic ledger
 * and verifier never need to know which types use which port.
 */
public final class TypePorts {
    private static final TypePorts NONE = new TypePorts(Map.of());

    private final Map<Class<?>, Object> ports;

    private TypePorts(Map<Class<?>, Object> ports) {
        this.ports = Map.copyOf(ports);
    }

    /** No ports: only types that need no storage across proofs get a rule. */
    public static TypePorts none() {
        return NONE;
    }

    /** These ports plus {@code port} as the implementation of {@code type} (replacing an earlier one). */
    public <P> TypePorts with(Class<P> type, P port) {
        Map<Class<?>, Object> more = new LinkedHashMap<>(ports);
        more.put(Objects.requireNonNull(type, "type"), type.cast(Objects.requireNonNull(port, "port")));
        return new TypePorts(more);
    }

    public <P> Optional<P> find(Class<P> type) {
        return Optional.ofNullable(ports.get(type)).map(type::cast);
    }
}
