package dev.flywheel.core.types.coverage;

import dev.flywheel.core.proof.ProofBody;
import dev.flywheel.core.crypto.Encoding;

import java.util.Objects;

/**
 * A device heard another device's {@link CoverageBeacon}. The witness names the beacon it heard by the
 * beaconer's device id and the beacon id (hex SHA-256 of the payload it received), and reports the bytes
 * and radio measurements. Only the server receive time counts for timing checks; {@code rxTime} (device
 * clock) is kept as evidence.
 *
 * @param beaconer      device id of the beaconer
 * @param beacon        beacon id the witness heard: hex SHA-256 of the received payload (64 lowercase hex)
 * @param payload       the received bytes, base64url without padding (normalised)
 * @param rssiDeciDbm   received signal strength in tenths of a dBm (e.g. -1085 = -108.5 dBm)
 * @param snrDeciDb     signal-to-noise ratio in tenths of a dB
 * @param frequencyHz   receive frequency in Hz
 * @param rxTime        device clock at reception, Unix ms (evidence only)
 */
public record CoverageWitness(String beaconer, String beacon, String payload, int rssiDeciDbm, int snrDeciDb,
                              long frequencyHz, long rxTime) implements ProofBody {
    public static final String TYPE = "coverage.witness";

    public CoverageWitness {
        Objects.requireNonNull(beaconer, "beaconer");
        Objects.requireNonNull(beacon, "beacon");
        Objects.requireNonNull(payload, "payload");
    }

    @Override
    public String type() {
        return TYPE;
    }

    public byte[] payloadBytes() {
        return Encoding.fromBase64Url(payload);
    }

    /** The beacon this witness refers to, as {@link CoverageBeacon#beaconKey(String)} writes it. */
    public String beaconKey() {
        return beaconer + "/" + beacon;
    }
}
