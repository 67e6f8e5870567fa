package dev.flywheel.core.types.coverage;

import dev.flywheel.core.proof.DeviceRecord;

import java.time.Instant;
import java.util.Objects;

/**
 * An accepted {@code coverage.beacon} as the window needs it: what to store with an accepted beacon.
 *
 * @param proofId    the beacon proof's id
 * @param device     the beaconer's registry record (asserted location) as the verifier saw it
 * @param beacon     the decoded body
 * @param receivedAt server receive time
 */
public record BeaconReport(String proofId, DeviceRecord device, CoverageBeacon beacon, Instant receivedAt) {
    public BeaconReport {
        Objects.requireNonNull(proofId, "proofId");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(beacon, "beacon");
        Objects.requireNonNull(receivedAt, "receivedAt");
    }

    public String deviceId() {
        return device.deviceId();
    }

    /** Witnesses are grouped by this key ({@code CoverageWitness.beaconKey()}). */
    public String beaconKey() {
        return beacon.beaconKey(device.deviceId());
    }
}
