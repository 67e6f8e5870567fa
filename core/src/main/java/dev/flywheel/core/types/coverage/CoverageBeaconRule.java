package dev.flywheel.core.types.coverage;

import dev.flywheel.core.entropy.EntropyLookup;
import dev.flywheel.core.entropy.EntropyWindow;
import dev.flywheel.core.proof.ProofEnvelope;
import dev.flywheel.core.proof.DeviceRecord;
import dev.flywheel.core.proof.PlausibilityChecks.Failure;
import dev.flywheel.core.proof.PriorProof;
import dev.flywheel.core.proof.ProofRule;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Per-proof checks of a {@code coverage.beacon}, in Helium's order: location asserted, region resolvable,
 * entropy window (server receive time), beacon interval (previous accepted beacon's receive time), payload and
 * id rebuilt from entropy and device id. Rewards come from the {@link CoverageWindow}, not from the proof
 * itself: an accepted beacon earns 0 work units here.
 */
public final class CoverageBeaconRule implements ProofRule<CoverageBeacon> {
    private final EntropyWindow entropy;
    private final RegionResolver regions;
    private final Duration beaconInterval;

    public CoverageBeaconRule(EntropyLookup entropy, RegionResolver regions, CoverageConfig config) {
        this.entropy = new EntropyWindow(entropy, config.entropyMaxAge());
        this.regions = Objects.requireNonNull(regions, "regions");
        this.beaconInterval = config.beaconInterval();
    }

    public static CoverageBeaconRule defaults(EntropyLookup entropy) {
        return new CoverageBeaconRule(entropy, RegionResolver.h3Parent(3), CoverageConfig.defaults());
    }

    @Override
    public Class<CoverageBeacon> bodyType() {
        return CoverageBeacon.class;
    }

    @Override
    public boolean needsPrior() {
        return true;
    }

    @Override
    public long workUnits(CoverageBeacon body) {
        return 0;
    }

    /** Without the server receive time a beacon cannot be judged. */
    @Override
    public Optional<Failure> check(ProofEnvelope proof, CoverageBeacon body, DeviceRecord device, Optional<PriorProof> prior) {
        throw new IllegalStateException("coverage.beacon checks need the server receive time: use the receivedAt overload");
    }

    @Override
    public Optional<Failure> check(ProofEnvelope proof, CoverageBeacon b, DeviceRecord device, Optional<PriorProof> prior,
                                   Instant receivedAt) {
        Optional<Failure> location = CoverageWitnessRule.locationAsserted(device);
        if (location.isPresent()) {
            return location;
        }
        if (regions.regionOf(device.h3Cell()).isEmpty()) {
            return Optional.of(new Failure(CoverageReason.REGION_UNKNOWN,
                    "asserted location " + device.h3Cell() + " is in no radio region", Map.of("h3Cell", device.h3Cell())));
        }
        Optional<Failure> stale = entropy.check(b.entropy(), receivedAt);
        if (stale.isPresent()) {
            return stale;
        }
        if (prior.isPresent()) {
            long since = receivedAt.toEpochMilli() - prior.get().receivedAt().toEpochMilli();
            if (since < beaconInterval.toMillis()) {
                return Optional.of(new Failure(CoverageReason.BEACON_TOO_FREQUENT,
                        "previous beacon arrived " + since + " ms earlier, interval " + beaconInterval.toMillis() + " ms",
                        Map.of("previousReceivedAt", prior.get().receivedAt().toEpochMilli(),
                                "receivedAt", receivedAt.toEpochMilli(), "sinceMillis", since,
                                "limitMillis", beaconInterval.toMillis())));
            }
        }
        String expected = BeaconPayload.deriveBase64Url(b.entropy(), device.deviceId());
        if (!expected.equals(b.payload())) {
            return Optional.of(new Failure(CoverageReason.PAYLOAD_MISMATCH,
                    "payload is not SHA-256(entropy || device id)", Map.of("field", "payload", "expected", expected)));
        }
        String expectedId = BeaconPayload.beaconId(b.payloadBytes());
        if (!expectedId.equals(b.id())) {
            return Optional.of(new Failure(CoverageReason.PAYLOAD_MISMATCH,
                    "id is not SHA-256(payload)", Map.of("field", "id", "expected", expectedId)));
        }
        return Optional.empty();
    }
}
