package dev.flywheel.core.types.coverage;

import dev.flywheel.core.proof.ProofEnvelope;
import dev.flywheel.core.proof.DeviceRecord;
import dev.flywheel.core.proof.PlausibilityChecks.Failure;
import dev.flywheel.core.proof.PriorProof;
import dev.flywheel.core.proof.ProofRule;

import java.util.Map;
import java.util.Optional;

/**
 * Per-proof checks of a {@code coverage.witness}: only what one report shows on its own (the witness has an
 * asserted location). Everything that compares it with the beacon and the other witnesses happens when the
 * beacon's window closes ({@link CoverageWindow}). 0 work units here; rewards come from the window.
 */
public final class CoverageWitnessRule implements ProofRule<CoverageWitness> {

    @Override
    public Class<CoverageWitness> bodyType() {
        return CoverageWitness.class;
    }

    @Override
    public long workUnits(CoverageWitness body) {
        return 0;
    }

    @Override
    public Optional<Failure> check(ProofEnvelope proof, CoverageWitness body, DeviceRecord device, Optional<PriorProof> prior) {
        return locationAsserted(device);
    }

    static Optional<Failure> locationAsserted(DeviceRecord device) {
        String cell = device.h3Cell();
        if (cell == null) {
            return Optional.of(new Failure(CoverageReason.LOCATION_NOT_ASSERTED, "device has no asserted location", Map.of()));
        }
        if (!CoverageGeo.isValidCell(cell)) {
            return Optional.of(new Failure(CoverageReason.LOCATION_NOT_ASSERTED,
                    "asserted location is not a valid H3 cell", Map.of("h3Cell", cell)));
        }
        return Optional.empty();
    }
}
