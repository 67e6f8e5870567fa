package dev.flywheel.core.proof;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The registry reads META-INF/services: every type once, in the file's order; the rules ports allow. */
class ProofTypesTest {

    @Test
    void everyRegisteredTypeInTheServicesFileOrder() {
        assertEquals(List.of("sensor.reading", "mobility.trace", "energy.meter", "coverage.beacon", "coverage.witness",
                "uptime.response", "bandwidth.receipt"), List.copyOf(ProofTypes.builtIn().wireTypes()));
    }

    @Test
    void withoutPortsOnlyTheStandaloneTypesHaveRules() {
        assertEquals(List.of("SensorReading", "LocationTrace", "MeterReading"),
                ProofTypes.builtIn().rules(TypePorts.none()).stream().map(r -> r.bodyType().getSimpleName()).toList());
    }

    @Test
    void aNetworkEnablesOnlyRegisteredTypes() {
        assertEquals(Set.of("bandwidth.receipt"), ProofTypes.enabled(Set.of("bandwidth.receipt")).wireTypes());
        assertThrows(IllegalArgumentException.class, () -> ProofTypes.enabled(Set.of("storage.proof")));
    }
}
