package dev.flywheel.core.types.coverage;

import dev.flywheel.core.entropy.EntropyLookup;
import dev.flywheel.core.proof.ProofRule;

import java.util.List;

/**
 * The per-proof rules of both coverage types, for a network's {@code PlausibilityChecks}. They need an
 * {@link EntropyLookup}, which is why they are not in {@code PlausibilityChecks.defaults()}.
 */
public final class CoverageRules {
    private CoverageRules() {
    }

    public static List<ProofRule<?>> rules(EntropyLookup entropy, RegionResolver regions, CoverageConfig config) {
        return List.of(new CoverageBeaconRule(entropy, regions, config), new CoverageWitnessRule());
    }

    public static List<ProofRule<?>> defaults(EntropyLookup entropy) {
        return rules(entropy, RegionResolver.h3Parent(3), CoverageConfig.defaults());
    }
}
