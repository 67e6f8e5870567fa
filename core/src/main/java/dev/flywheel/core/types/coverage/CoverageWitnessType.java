package dev.flywheel.core.types.coverage;

import dev.flywheel.core.entropy.EntropyLookup;
import java.util.List;
import java.util.Optional;
import dev.flywheel.core.proof.TypePorts;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.core.proof.BodyFields;
import dev.flywheel.core.proof.MalformedProofException;
import dev.flywheel.core.proof.ProofCodec;
import dev.flywheel.core.proof.ProofType;

import java.util.Set;

/**
 * {@code coverage.witness}: {"beaconer": device id, "beacon": hex64, "payload": base64url, "rssi": deci-dBm,
 * "snr": deci-dB, "frequency": Hz, "rxTime": Unix ms}. {@code rssi} in [-1800, 0], {@code snr} in [-500, 500].
 */
public final class CoverageWitnessType implements ProofType<CoverageWitness> {
    private static final Set<String> MEMBERS = Set.of("beaconer", "beacon", "payload", "rssi", "snr", "frequency", "rxTime");
    static final int MIN_RSSI = -1800;
    static final int MAX_RSSI = 0;
    static final int MAX_ABS_SNR = 500;

    @Override
    public String wireType() {
        return CoverageWitness.TYPE;
    }

    @Override
    public Class<CoverageWitness> bodyType() {
        return CoverageWitness.class;
    }

    @Override
    public CoverageWitness decode(ObjectNode body) throws MalformedProofException {
        BodyFields.onlyMembers(body, MEMBERS);
        String beaconer = BodyFields.text(body, "beaconer");
        if (!ProofCodec.DEVICE_ID.matcher(beaconer).matches()) {
            throw BodyFields.schema("'beaconer' must match " + ProofCodec.DEVICE_ID.pattern());
        }
        return new CoverageWitness(
                beaconer,
                CoverageFields.hex64(body, "beacon"),
                CoverageFields.payload(body, "payload"),
                CoverageFields.boundedInt(body, "rssi", MIN_RSSI, MAX_RSSI),
                CoverageFields.boundedInt(body, "snr", -MAX_ABS_SNR, MAX_ABS_SNR),
                CoverageFields.frequency(body, "frequency"),
                BodyFields.safeLong(body, "rxTime"));
    }

    @Override
    public ObjectNode encode(CoverageWitness w) {
        return JsonNodeFactory.instance.objectNode()
                .put("beaconer", w.beaconer())
                .put("beacon", w.beacon())
                .put("payload", w.payload())
                .put("rssi", w.rssiDeciDbm())
                .put("snr", w.snrDeciDb())
                .put("frequency", w.frequencyHz())
                .put("rxTime", w.rxTime());
    }

    /** Enabled with the beacon rule (the same {@link EntropyLookup} port): a witness without beacons proves nothing. */
    @Override
    public Optional<CoverageWitnessRule> rule(TypePorts ports) {
        return ports.find(EntropyLookup.class).map(entropy -> new CoverageWitnessRule());
    }

    @Override
    public List<CoverageReason> reasons() {
        return List.of(CoverageReason.values());
    }
}
