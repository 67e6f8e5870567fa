package dev.flywheel.core.types.mobility;

import dev.flywheel.core.proof.ProofEnvelope;
import dev.flywheel.core.proof.DeviceRecord;
import dev.flywheel.core.proof.PlausibilityChecks.Failure;
import dev.flywheel.core.proof.PriorProof;
import dev.flywheel.core.proof.ProofRule;
import dev.flywheel.core.proof.RejectionReason;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.ToLongFunction;

/**
 * Plausibility of {@code mobility.trace} proofs, in this order (the first failure decides):
 * <ol>
 *   <li>GNSS quality of every fix ({@code gnss_quality});</li>
 *   <li>speed between consecutive fixes ({@code speed_implausible});</li>
 *   <li>a frozen trace: 2+ fixes, all at exactly the same position ({@code repeated_trace});</li>
 *   <li>against the device's previous accepted trace: the same positions again
 *       ({@code repeated_trace}), a start before its end ({@code trace_out_of_order}), a jump
 *       from its last fix faster than the speed limit ({@code teleport}).</li>
 * </ol>
 * Every limit is inclusive: a value exactly at the limit passes.
 *
 * <p>Work units are the network's choice: {@link H3Coverage} (distinct H3 cells covered, the
 * default at resolution 9) or {@link #ONE_PER_TRACE}.
 */
public final class LocationTraceRule implements ProofRule<LocationTrace> {

    /**
     * A network's limits.
     *
     * @param maxHdopX10      largest acceptable HDOP x 10 (50 = HDOP 5.0)
     * @param minSatellites   fewest satellites in a fix
     * @param requiredFixType the fix type token every fix must carry
     * @param maxSpeedMps     fastest plausible ground speed, m/s (within a trace and across traces)
     */
    public record Limits(int maxHdopX10, int minSatellites, String requiredFixType, double maxSpeedMps) {
        public Limits {
            Objects.requireNonNull(requiredFixType, "requiredFixType");
            if (maxHdopX10 < 0 || minSatellites < 0 || !(maxSpeedMps > 0) || Double.isInfinite(maxSpeedMps)) {
                throw new IllegalArgumentException("invalid limits");
            }
        }

        /** Road vehicles (DIMO, Hivemapper): HDOP 5.0, 4 satellites, 3D fix, 70 m/s (252 km/h). */
        public static Limits vehicles() {
            return new Limits(50, 4, GnssFix.FIX_3D, 70.0);
        }

        public Limits withMaxSpeedMps(double mps) {
            return new Limits(maxHdopX10, minSatellites, requiredFixType, mps);
        }
    }

    /** What one accepted trace earns: 1 per trace, whatever its length. */
    public static final ToLongFunction<LocationTrace> ONE_PER_TRACE = t -> 1;

    private final Limits limits;
    private final ToLongFunction<LocationTrace> units;

    public LocationTraceRule(Limits limits, ToLongFunction<LocationTrace> units) {
        this.limits = Objects.requireNonNull(limits);
        this.units = Objects.requireNonNull(units);
    }

    /** Coverage units at H3 resolution 9. */
    public LocationTraceRule(Limits limits) {
        this(limits, H3Coverage.res9());
    }

    /** Vehicle limits; units = distinct H3 resolution-9 cells the fixes cover. */
    public static LocationTraceRule defaults() {
        return new LocationTraceRule(Limits.vehicles(), H3Coverage.res9());
    }

    public Limits limits() {
        return limits;
    }

    @Override
    public Class<LocationTrace> bodyType() {
        return LocationTrace.class;
    }

    @Override
    public boolean needsPrior() {
        return true;
    }

    @Override
    public long workUnits(LocationTrace body) {
        return units.applyAsLong(body);
    }

    @Override
    public Optional<Failure> check(ProofEnvelope proof, LocationTrace trace, DeviceRecord device, Optional<PriorProof> prior) {
        Optional<Failure> f = quality(trace);
        if (f.isEmpty()) {
            f = speed(trace);
        }
        if (f.isEmpty()) {
            f = frozen(trace);
        }
        if (f.isEmpty() && prior.isPresent() && prior.get().body() instanceof LocationTrace previous) {
            f = againstPrior(trace, previous, prior.get().sequence());
        }
        return f;
    }

    Optional<Failure> quality(LocationTrace trace) {
        List<GnssFix> fixes = trace.fixes();
        for (int i = 0; i < fixes.size(); i++) {
            GnssFix fix = fixes.get(i);
            String problem = null;
            if (fix.hdopX10() > limits.maxHdopX10()) {
                problem = "hdop x10 " + fix.hdopX10() + " above " + limits.maxHdopX10();
            } else if (fix.satellites() < limits.minSatellites()) {
                problem = fix.satellites() + " satellites, fewer than " + limits.minSatellites();
            } else if (!fix.fixType().equals(limits.requiredFixType())) {
                problem = "fix type " + fix.fixType() + ", not " + limits.requiredFixType();
            }
            if (problem != null) {
                return fail(MobilityReason.GNSS_QUALITY, "fix " + i + ": " + problem, Map.of(
                        "fixIndex", i, "hdopX10", fix.hdopX10(), "satellites", fix.satellites(),
                        "fixType", fix.fixType(), "maxHdopX10", limits.maxHdopX10(),
                        "minSatellites", limits.minSatellites(), "requiredFixType", limits.requiredFixType()));
            }
        }
        return Optional.empty();
    }

    Optional<Failure> speed(LocationTrace trace) {
        List<GnssFix> fixes = trace.fixes();
        for (int i = 1; i < fixes.size(); i++) {
            GnssFix a = fixes.get(i - 1);
            GnssFix b = fixes.get(i);
            double meters = GreatCircle.meters(a, b);
            long elapsed = b.timeMillis() - a.timeMillis();
            double mps = meters / (elapsed / 1000.0);
            if (mps > limits.maxSpeedMps()) {
                return fail(MobilityReason.SPEED_IMPLAUSIBLE, String.format(java.util.Locale.ROOT,
                        "fixes %d-%d: %.1f m in %d ms is %.1f m/s, limit %.1f", i - 1, i, meters, elapsed, mps,
                        limits.maxSpeedMps()), Map.of(
                        "fixIndex", i, "distanceMeters", round(meters), "elapsedMillis", elapsed,
                        "speedMps", round(mps), "limitMps", limits.maxSpeedMps()));
            }
        }
        return Optional.empty();
    }

    Optional<Failure> frozen(LocationTrace trace) {
        List<GnssFix> fixes = trace.fixes();
        if (fixes.size() < 2 || !fixes.stream().allMatch(f -> f.samePosition(trace.first()))) {
            return Optional.empty();
        }
        return fail(MobilityReason.REPEATED_TRACE, fixes.size() + " fixes over "
                        + (trace.last().timeMillis() - trace.first().timeMillis()) + " ms at exactly one position",
                Map.of("pattern", "frozen", "fixes", fixes.size()));
    }

    Optional<Failure> againstPrior(LocationTrace trace, LocationTrace previous, long priorSequence) {
        if (trace.fixes().size() >= 2 && samePositions(trace, previous)) {
            return fail(MobilityReason.REPEATED_TRACE, "the positions of the previous trace (seq " + priorSequence + ") again",
                    Map.of("pattern", "same_as_prior", "fixes", trace.fixes().size(), "priorSequence", priorSequence));
        }
        GnssFix last = previous.last();
        GnssFix first = trace.first();
        long elapsed = first.timeMillis() - last.timeMillis();
        if (elapsed < 0) {
            return fail(MobilityReason.TRACE_OUT_OF_ORDER, "trace starts " + (-elapsed) + " ms before the previous trace ended",
                    Map.of("startMillis", first.timeMillis(), "priorEndMillis", last.timeMillis(),
                            "priorSequence", priorSequence));
        }
        double meters = GreatCircle.meters(last, first);
        double mps = elapsed == 0 ? (meters == 0 ? 0 : Double.POSITIVE_INFINITY) : meters / (elapsed / 1000.0);
        if (mps > limits.maxSpeedMps()) {
            Map<String, Object> evidence = new LinkedHashMap<>();
            evidence.put("distanceMeters", round(meters));
            evidence.put("elapsedMillis", elapsed);
            if (elapsed > 0) {
                evidence.put("speedMps", round(mps));
            }
            evidence.put("limitMps", limits.maxSpeedMps());
            evidence.put("priorSequence", priorSequence);
            return fail(MobilityReason.TELEPORT, String.format(java.util.Locale.ROOT,
                    "%.1f m from the previous trace's last fix in %d ms, limit %.1f m/s", meters, elapsed,
                    limits.maxSpeedMps()), evidence);
        }
        return Optional.empty();
    }

    private static boolean samePositions(LocationTrace a, LocationTrace b) {
        if (a.fixes().size() != b.fixes().size()) {
            return false;
        }
        for (int i = 0; i < a.fixes().size(); i++) {
            if (!a.fixes().get(i).samePosition(b.fixes().get(i))) {
                return false;
            }
        }
        return true;
    }

    /** Evidence numbers to the millimetre (or mm/s): exact decimal text, never NaN or infinite. */
    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private static Optional<Failure> fail(RejectionReason reason, String detail, Map<String, Object> evidence) {
        return Optional.of(new Failure(reason, detail, evidence));
    }
}
