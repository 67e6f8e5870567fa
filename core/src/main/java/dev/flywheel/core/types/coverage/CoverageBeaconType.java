package dev.flywheel.core.types.coverage;

import dev.flywheel.core.entropy.EntropyLookup;
import java.util.List;
import java.util.Optional;
import dev.flywheel.core.proof.TypePorts;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.core.proof.BodyFields;
import dev.flywheel.core.proof.MalformedProofException;
import dev.flywheel.core.proof.ProofType;

import java.util.Set;

/**
 * {@code coverage.beacon}: {"entropy": hex64, "frequency": Hz, "datarate": token, "txPower": deci-dBm,
 * "payload": base64url, "id": hex64}. {@code txPower} is an integer in [-300, 400] (-30..+40 dBm).
 */
public final class CoverageBeaconType implements ProofType<CoverageBeacon> {
    private static final Set<String> MEMBERS = Set.of("entropy", "frequency", "datarate", "txPower", "payload", "id");
    static final int MIN_TX_DECI_DBM = -300;
    static final int MAX_TX_DECI_DBM = 400;

    @Override
    public String wireType() {
        return CoverageBeacon.TYPE;
    }

    @Override
    public Class<CoverageBeacon> bodyType() {
        return CoverageBeacon.class;
    }

    @Override
    public CoverageBeacon decode(ObjectNode body) throws MalformedProofException {
        BodyFields.onlyMembers(body, MEMBERS);
        return new CoverageBeacon(
                CoverageFields.hex64(body, "entropy"),
                CoverageFields.frequency(body, "frequency"),
                BodyFields.token(body, "datarate"),
                CoverageFields.boundedInt(body, "txPower", MIN_TX_DECI_DBM, MAX_TX_DECI_DBM),
                CoverageFields.payload(body, "payload"),
                CoverageFields.hex64(body, "id"));
    }

    @Override
    public ObjectNode encode(CoverageBeacon b) {
        return JsonNodeFactory.instance.objectNode()
                .put("entropy", b.entropy())
                .put("frequency", b.frequencyHz())
                .put("datarate", b.datarate())
                .put("txPower", b.txPowerDeciDbm())
                .put("payload", b.payload())
                .put("id", b.id());
    }

    /** Needs the network's published entropy ({@link EntropyLookup}): a beacon must not be precomputable. */
    @Override
    public Optional<CoverageBeaconRule> rule(TypePorts ports) {
        return ports.find(EntropyLookup.class).map(CoverageBeaconRule::defaults);
    }

    @Override
    public List<CoverageReason> reasons() {
        return List.of(CoverageReason.values());
    }
}
