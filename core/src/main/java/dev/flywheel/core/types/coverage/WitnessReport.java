package dev.flywheel.core.types.coverage;

import dev.flywheel.core.proof.DeviceRecord;

import java.time.Instant;
import java.util.Comparator;
import java.util.Objects;

/**
 * An accepted {@code coverage.witness} as the window needs it: what to store with an accepted witness, under
 * its {@link #beaconKey()}.
 *
 * @param proofId    the witness proof's id
 * @param device     the witness's registry record (asserted location) as the verifier saw it
 * @param witness    the decoded body
 * @param receivedAt server receive time: the only time the lag checks use
 */
public record WitnessReport(String proofId, DeviceRecord device, CoverageWitness witness, Instant receivedAt) {
    /** Arrival order: server receive time, ties broken by proof id, so any input order gives the same result. */
    public static final Comparator<WitnessReport> ARRIVAL =
            Comparator.comparing(WitnessReport::receivedAt).thenComparing(WitnessReport::proofId);

    public WitnessReport {
        Objects.requireNonNull(proofId, "proofId");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(witness, "witness");
        Objects.requireNonNull(receivedAt, "receivedAt");
    }

    public String deviceId() {
        return device.deviceId();
    }

    public String beaconKey() {
        return witness.beaconKey();
    }
}
