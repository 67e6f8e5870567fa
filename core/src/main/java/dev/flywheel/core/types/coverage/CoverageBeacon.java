package dev.flywheel.core.types.coverage;

import dev.flywheel.core.proof.ProofBody;
import dev.flywheel.core.crypto.Encoding;

import java.util.Objects;

/**
 * A radio coverage beacon (Helium-style proof of coverage): the device transmitted {@code payload} on
 * {@code frequencyHz} and reports it. The payload is not chosen by the device: it is
 * {@code SHA-256(entropy bytes || UTF-8(deviceId))} (see {@code BeaconPayload}), so it cannot be computed
 * before the network published the entropy, and {@code id} is the lowercase hex SHA-256 of the payload
 * bytes: what witnesses quote to say which beacon they heard.
 *
 * @param entropy       the network entropy the payload was built from, 64 lowercase hex digits
 * @param frequencyHz   transmit frequency in Hz
 * @param datarate      data-rate token, e.g. {@code sf7bw125}
 * @param txPowerDeciDbm conducted transmit power in tenths of a dBm (e.g. 270 = 27.0 dBm), antenna gain excluded
 * @param payload       the transmitted bytes, base64url without padding (normalised)
 * @param id            beacon id = hex SHA-256(payload bytes)
 */
public record CoverageBeacon(String entropy, long frequencyHz, String datarate, int txPowerDeciDbm,
                             String payload, String id) implements ProofBody {
    public static final String TYPE = "coverage.beacon";

    public CoverageBeacon {
        Objects.requireNonNull(entropy, "entropy");
        Objects.requireNonNull(datarate, "datarate");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(id, "id");
    }

    @Override
    public String type() {
        return TYPE;
    }

    public byte[] payloadBytes() {
        return Encoding.fromBase64Url(payload);
    }

    /** The key witnesses of this beacon are grouped by: {@code <beaconer device id>/<beacon id>}. */
    public String beaconKey(String beaconerDeviceId) {
        return beaconerDeviceId + "/" + id;
    }
}
