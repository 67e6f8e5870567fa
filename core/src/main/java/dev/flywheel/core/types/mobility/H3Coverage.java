package dev.flywheel.core.types.mobility;

import com.uber.h3core.H3Core;
import dev.flywheel.core.geo.H3Native;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.ToLongFunction;

/**
 * Work units by coverage, as Hivemapper counts contributions per hex: the number of distinct H3
 * cells at one resolution that a trace's fixes fall in. A trace that stays in one cell earns 1;
 * 120 fixes earn at most 120.
 */
public final class H3Coverage implements ToLongFunction<LocationTrace> {
    /** Resolution 9: cells of about 0.1 km² (edge about 200 m), a few city blocks of road. */
    public static final int DEFAULT_RESOLUTION = 9;

    private final int resolution;

    public H3Coverage(int resolution) {
        if (resolution < 0 || resolution > 15) {
            throw new IllegalArgumentException("H3 resolution " + resolution);
        }
        this.resolution = resolution;
    }

    public static H3Coverage res9() {
        return new H3Coverage(DEFAULT_RESOLUTION);
    }

    public int resolution() {
        return resolution;
    }

    /** The distinct cells the fixes fall in, in order of first visit, as 15-hex-digit indexes. */
    public Set<String> cells(LocationTrace trace) {
        H3Core h3 = H3Native.get();
        Set<String> cells = new LinkedHashSet<>();
        for (GnssFix f : trace.fixes()) {
            cells.add(h3.latLngToCellAddress(f.latE7() / 1e7, f.lngE7() / 1e7, resolution));
        }
        return cells;
    }

    @Override
    public long applyAsLong(LocationTrace trace) {
        return cells(trace).size();
    }
}
