package dev.flywheel.core.types.mobility;

import dev.flywheel.core.proof.ProofBody;
import java.util.List;

/**
 * A vehicle's or dashcam's GNSS trace (DIMO / Hivemapper style): 1 to {@link #MAX_FIXES} fixes in
 * strictly increasing time order (the codec enforces both).
 */
public record LocationTrace(List<GnssFix> fixes) implements ProofBody {
    public static final String TYPE = "mobility.trace";
    public static final int MAX_FIXES = 120;

    public LocationTrace {
        fixes = List.copyOf(fixes);
        if (fixes.isEmpty()) {
            throw new IllegalArgumentException("a trace has at least one fix");
        }
    }

    public GnssFix first() {
        return fixes.getFirst();
    }

    public GnssFix last() {
        return fixes.getLast();
    }

    @Override
    public String type() {
        return TYPE;
    }
}
