package dev.flywheel.core.types.sensor;

import java.time.Instant;
import java.util.List;

/**
 * Port: what other devices near a device recently measured, for the neighbour-agreement check of
 * {@link SensorReadingRule}. Neighbours are the devices asserted in the same H3 parent cell
 * ({@link SensorReadingRule#neighbourCell(String)}, resolution {@value SensorReadingRule#NEIGHBOUR_RESOLUTION}).
 */
@FunctionalInterface
public interface NeighbourReadings {
    NeighbourReadings NONE = (metric, h3Parent, since, excludingDevice) -> List.of();

    /**
     * The latest accepted value of {@code metric} of each device asserted in {@code h3Parent}, other than
     * {@code excludingDevice}, whose device time is at or after {@code since}: one value per device.
     */
    List<Double> recent(String metric, String h3Parent, Instant since, String excludingDevice);
}
