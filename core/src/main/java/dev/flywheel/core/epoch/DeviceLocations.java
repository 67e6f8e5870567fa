package dev.flywheel.core.epoch;

import dev.flywheel.core.verify.DeviceDirectory;
import dev.flywheel.core.proof.DeviceRecord;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/** Port: devices' asserted H3 cells at close time (the device registry in production), for density scaling. */
@FunctionalInterface
public interface DeviceLocations {

    /** Cell per device; a device without an asserted cell may be left out or mapped to null. */
    Map<String, String> cells(Collection<String> deviceIds);

    /** One registry lookup per device. */
    static DeviceLocations from(DeviceDirectory directory) {
        return ids -> {
            Map<String, String> out = new HashMap<>();
            for (String id : ids) {
                directory.find(id).map(DeviceRecord::h3Cell).ifPresent(cell -> out.put(id, cell));
            }
            return out;
        };
    }

    static DeviceLocations of(Map<String, String> cells) {
        return ids -> {
            Map<String, String> out = new HashMap<>();
            for (String id : ids) {
                String c = cells.get(id);
                if (c != null) {
                    out.put(id, c);
                }
            }
            return out;
        };
    }
}
