package dev.flywheel.core.geo;

import com.uber.h3core.H3Core;

import java.io.IOException;
import java.io.UncheckedIOException;

/** The H3 library (JNI), loaded once per process on first use: its native code is unpacked only then. */
public final class H3Native {
    private H3Native() {
    }

    private static final class Holder {
        static final H3Core H3;

        static {
            try {
                H3 = H3Core.newInstance();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot load the H3 native library", e);
            }
        }
    }

    public static H3Core get() {
        return Holder.H3;
    }
}
