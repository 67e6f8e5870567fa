package dev.flywheel.core.types.sensor;

import java.util.List;
import java.util.Optional;
import dev.flywheel.core.proof.TypePorts;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.core.proof.BodyFields;
import dev.flywheel.core.proof.MalformedProofException;
import dev.flywheel.core.proof.ProofType;

import java.util.Set;

/** {@code sensor.reading}: {"metric": token, "value": number, "unit": token}. */
public final class SensorReadingType implements ProofType<SensorReading> {
    private static final Set<String> MEMBERS = Set.of("metric", "value", "unit");

    @Override
    public String wireType() {
        return SensorReading.TYPE;
    }

    @Override
    public Class<SensorReading> bodyType() {
        return SensorReading.class;
    }

    @Override
    public SensorReading decode(ObjectNode body) throws MalformedProofException {
        BodyFields.onlyMembers(body, MEMBERS);
        return new SensorReading(BodyFields.token(body, "metric"), BodyFields.finiteNumber(body, "value"),
                BodyFields.token(body, "unit"));
    }

    @Override
    public ObjectNode encode(SensorReading r) {
        return JsonNodeFactory.instance.objectNode().put("metric", r.metric()).put("value", r.value()).put("unit", r.unit());
    }

    /** With a {@link NeighbourReadings} port the readings are also judged against nearby devices' readings. */
    @Override
    public Optional<SensorReadingRule> rule(TypePorts ports) {
        SensorReadingRule rule = SensorReadingRule.defaults();
        return Optional.of(ports.find(NeighbourReadings.class).map(rule::withNeighbours).orElse(rule));
    }

    @Override
    public List<SensorReason> reasons() {
        return List.of(SensorReason.values());
    }
}
