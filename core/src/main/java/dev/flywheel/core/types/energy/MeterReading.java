package dev.flywheel.core.types.energy;

import dev.flywheel.core.proof.ProofBody;
import java.util.OptionalLong;

/**
 * An energy meter's reading over one interval (Daylight style): the cumulative counter at the
 * interval's end, optionally the counter at its start, and the installation's rated power.
 *
 * @param meterId       the meter's identifier token (a device may replace its meter)
 * @param startMillis   interval start, Unix ms
 * @param endMillis     interval end, Unix ms
 * @param energyWh      cumulative energy counter at {@code endMillis}, Wh
 * @param ratedPowerW   rated capacity of the installation, W (the network caps it)
 * @param startEnergyWh cumulative counter at {@code startMillis}, Wh, when the meter reports it
 */
public record MeterReading(String meterId, long startMillis, long endMillis, long energyWh, long ratedPowerW,
                           OptionalLong startEnergyWh) implements ProofBody {
    public static final String TYPE = "energy.meter";

    public MeterReading {
        java.util.Objects.requireNonNull(meterId, "meterId");
        java.util.Objects.requireNonNull(startEnergyWh, "startEnergyWh");
    }

    @Override
    public String type() {
        return TYPE;
    }
}
