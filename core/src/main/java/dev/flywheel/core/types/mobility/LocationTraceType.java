package dev.flywheel.core.types.mobility;

import java.util.Optional;
import dev.flywheel.core.proof.TypePorts;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.core.proof.BodyFields;
import dev.flywheel.core.proof.MalformedProofException;
import dev.flywheel.core.proof.ProofType;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code mobility.trace}: {@code {"fixes": [fix, ...]}} with 1 to {@value LocationTrace#MAX_FIXES}
 * fixes in strictly increasing {@code time}; each fix is
 * {@code {"time": ms, "latE7": int, "lngE7": int, "hdopX10": int, "sats": int, "fix": token}}
 * ({@code fix} at most {@value #MAX_FIX_TYPE_LENGTH} characters: any valid trace fits the 16 KiB payload limit).
 * Structure and ranges are schema rules ({@code schema_invalid}); quality and physics are
 * {@link LocationTraceRule}'s.
 */
public final class LocationTraceType implements ProofType<LocationTrace> {
    private static final Set<String> MEMBERS = Set.of("fixes");
    private static final Set<String> FIX_MEMBERS = Set.of("time", "latE7", "lngE7", "hdopX10", "sats", "fix");
    public static final int MAX_LAT_E7 = 900_000_000;
    public static final int MAX_LNG_E7 = 1_800_000_000;
    /** HDOP 99.99 is what receivers report for "no geometry"; anything larger is not a receiver value. */
    public static final int MAX_HDOP_X10 = 9_999;
    public static final int MAX_SATELLITES = 255;
    /** Fix type tokens are short ({@code 3d}, {@code 2d}, {@code none}): keeps the longest trace within the payload limit. */
    public static final int MAX_FIX_TYPE_LENGTH = 8;

    @Override
    public String wireType() {
        return LocationTrace.TYPE;
    }

    /** A trace is made while moving: its {@code loc.h3} is not held to the asserted cell. */
    @Override
    public boolean stationary() {
        return false;
    }

    @Override
    public Class<LocationTrace> bodyType() {
        return LocationTrace.class;
    }

    @Override
    public LocationTrace decode(ObjectNode body) throws MalformedProofException {
        BodyFields.onlyMembers(body, MEMBERS);
        JsonNode fixes = body.get("fixes");
        if (fixes == null || !fixes.isArray() || fixes.isEmpty() || fixes.size() > LocationTrace.MAX_FIXES) {
            throw BodyFields.schema("'fixes' must be an array of 1 to " + LocationTrace.MAX_FIXES + " fixes");
        }
        List<GnssFix> out = new ArrayList<>(fixes.size());
        for (int i = 0; i < fixes.size(); i++) {
            JsonNode f = fixes.get(i);
            if (!f.isObject()) {
                throw BodyFields.schema("'fixes[" + i + "]' must be an object");
            }
            ObjectNode fix = (ObjectNode) f;
            BodyFields.onlyMembers(fix, FIX_MEMBERS);
            GnssFix parsed = new GnssFix(
                    BodyFields.safeLong(fix, "time"),
                    intIn(fix, "latE7", -MAX_LAT_E7, MAX_LAT_E7),
                    intIn(fix, "lngE7", -MAX_LNG_E7, MAX_LNG_E7),
                    intIn(fix, "hdopX10", 0, MAX_HDOP_X10),
                    intIn(fix, "sats", 0, MAX_SATELLITES),
                    fixType(fix));
            if (!out.isEmpty() && parsed.timeMillis() <= out.getLast().timeMillis()) {
                throw BodyFields.schema("'fixes[" + i + "].time' must be later than the previous fix's");
            }
            out.add(parsed);
        }
        return new LocationTrace(out);
    }

    @Override
    public ObjectNode encode(LocationTrace trace) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        ArrayNode fixes = body.putArray("fixes");
        for (GnssFix f : trace.fixes()) {
            fixes.addObject()
                    .put("time", f.timeMillis())
                    .put("latE7", f.latE7())
                    .put("lngE7", f.lngE7())
                    .put("hdopX10", f.hdopX10())
                    .put("sats", f.satellites())
                    .put("fix", f.fixType());
        }
        return body;
    }

    private static String fixType(ObjectNode fix) throws MalformedProofException {
        String t = BodyFields.token(fix, "fix");
        if (t.length() > MAX_FIX_TYPE_LENGTH) {
            throw BodyFields.schema("'fix' must be at most " + MAX_FIX_TYPE_LENGTH + " characters");
        }
        return t;
    }

    /** An integer literal in [min, max]. */
    static int intIn(JsonNode node, String name, int min, int max) throws MalformedProofException {
        JsonNode n = node.get(name);
        if (n == null || !n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() < min || n.intValue() > max) {
            throw BodyFields.schema("'" + name + "' must be an integer in [" + min + ", " + max + "]");
        }
        return n.intValue();
    }

    @Override
    public Optional<LocationTraceRule> rule(TypePorts ports) {
        return Optional.of(LocationTraceRule.defaults());
    }

    @Override
    public List<MobilityReason> reasons() {
        return List.of(MobilityReason.values());
    }
}
