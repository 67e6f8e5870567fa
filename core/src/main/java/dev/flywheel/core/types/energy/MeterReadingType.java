package dev.flywheel.core.types.energy;

import java.util.List;
import java.util.Optional;
import dev.flywheel.core.proof.TypePorts;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.core.proof.BodyFields;
import dev.flywheel.core.proof.MalformedProofException;
import dev.flywheel.core.proof.ProofType;

import java.util.OptionalLong;
import java.util.Set;

/**
 * {@code energy.meter}: {@code {"meter": token, "start": ms, "end": ms, "energyWh": int,
 * "ratedW": int, "startEnergyWh": int (optional)}}; every integer in [0, 2^53). The meaning
 * (interval order, counter continuity, power) is {@link MeterReadingRule}'s.
 */
public final class MeterReadingType implements ProofType<MeterReading> {
    private static final Set<String> MEMBERS = Set.of("meter", "start", "end", "energyWh", "ratedW", "startEnergyWh");

    @Override
    public String wireType() {
        return MeterReading.TYPE;
    }

    @Override
    public Class<MeterReading> bodyType() {
        return MeterReading.class;
    }

    @Override
    public MeterReading decode(ObjectNode body) throws MalformedProofException {
        BodyFields.onlyMembers(body, MEMBERS);
        return new MeterReading(
                BodyFields.token(body, "meter"),
                BodyFields.safeLong(body, "start"),
                BodyFields.safeLong(body, "end"),
                BodyFields.safeLong(body, "energyWh"),
                BodyFields.safeLong(body, "ratedW"),
                body.has("startEnergyWh") ? OptionalLong.of(BodyFields.safeLong(body, "startEnergyWh")) : OptionalLong.empty());
    }

    @Override
    public ObjectNode encode(MeterReading r) {
        ObjectNode body = JsonNodeFactory.instance.objectNode()
                .put("meter", r.meterId())
                .put("start", r.startMillis())
                .put("end", r.endMillis())
                .put("energyWh", r.energyWh())
                .put("ratedW", r.ratedPowerW());
        r.startEnergyWh().ifPresent(v -> body.put("startEnergyWh", v));
        return body;
    }

    @Override
    public Optional<MeterReadingRule> rule(TypePorts ports) {
        return Optional.of(MeterReadingRule.defaults());
    }

    @Override
    public List<EnergyReason> reasons() {
        return List.of(EnergyReason.values());
    }
}
