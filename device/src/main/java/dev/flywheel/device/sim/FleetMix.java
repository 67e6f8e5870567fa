package dev.flywheel.device.sim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Relative weights of the roles in a fleet, e.g. {@code honest=7,forger=1,replayer=1,out_of_range=1}.
 * {@link #allocate(int)} turns weights into device counts.
 */
public record FleetMix(Map<DeviceRole, Integer> weights) {

    /**
     * The demo fleet: mostly honest, one of each of the verifier's classic attacks per ten devices. The
     * newer roles (wrong_topic, teleporter, clock_skew) are left out on purpose: DemoIT asserts exact
     * numbers for this mix. Ask for them with {@link #parse}.
     */
    public static final FleetMix DEMO = of(7, 1, 1, 1);

    public FleetMix {
        EnumMap<DeviceRole, Integer> copy = new EnumMap<>(DeviceRole.class);
        int total = 0;
        for (DeviceRole role : DeviceRole.values()) {
            int w = weights.getOrDefault(role, 0);
            if (w < 0) {
                throw new IllegalArgumentException("weight of " + role.wire() + " is negative");
            }
            copy.put(role, w);
            total += w;
        }
        if (total == 0) {
            throw new IllegalArgumentException("a fleet mix needs at least one positive weight");
        }
        weights = Collections.unmodifiableMap(copy);
    }

    public static FleetMix of(int honest, int forger, int replayer, int outOfRange) {
        return new FleetMix(Map.of(DeviceRole.HONEST, honest, DeviceRole.FORGER, forger,
                DeviceRole.REPLAYER, replayer, DeviceRole.OUT_OF_RANGE, outOfRange));
    }

    public static FleetMix allHonest() {
        return of(1, 0, 0, 0);
    }

    /** Parses {@code role=weight} pairs separated by commas; roles not named get weight 0. */
    public static FleetMix parse(String spec) {
        EnumMap<DeviceRole, Integer> w = new EnumMap<>(DeviceRole.class);
        for (String part : spec.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            int eq = p.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("fleet mix entry '" + p + "' is not role=weight");
            }
            DeviceRole role;
            try {
                role = DeviceRole.valueOf(p.substring(0, eq).trim().toUpperCase(Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown role '" + p.substring(0, eq).trim() + "' ("
                        + java.util.Arrays.stream(DeviceRole.values()).map(DeviceRole::wire).collect(java.util.stream.Collectors.joining(", ")) + ")");
            }
            try {
                w.put(role, Integer.parseInt(p.substring(eq + 1).trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("weight in '" + p + "' is not an integer");
            }
        }
        return new FleetMix(w);
    }

    /**
     * Device counts per role for a fleet of {@code devices}: proportional to the weights (largest
     * remainder), and every role with a positive weight gets at least one device when the fleet
     * has room for all of them, so a small demo fleet still shows every attack.
     */
    public Map<DeviceRole, Integer> allocate(int devices) {
        if (devices < 0) {
            throw new IllegalArgumentException("devices must be >= 0");
        }
        int total = weights.values().stream().mapToInt(Integer::intValue).sum();
        EnumMap<DeviceRole, Integer> counts = new EnumMap<>(DeviceRole.class);
        List<DeviceRole> byRemainder = new ArrayList<>();
        int assigned = 0;
        for (DeviceRole role : DeviceRole.values()) {
            long share = (long) devices * weights.get(role);
            counts.put(role, (int) (share / total));
            assigned += (int) (share / total);
            byRemainder.add(role);
        }
        byRemainder.sort((a, b) -> Long.compare((long) devices * weights.get(b) % total,
                (long) devices * weights.get(a) % total));
        for (int i = 0; assigned < devices; i++) {
            DeviceRole role = byRemainder.get(i % byRemainder.size());
            if (weights.get(role) > 0) {
                counts.merge(role, 1, Integer::sum);
                assigned++;
            }
        }
        long positive = weights.values().stream().filter(w -> w > 0).count();
        if (devices >= positive) {
            for (DeviceRole role : DeviceRole.values()) {
                if (weights.get(role) > 0 && counts.get(role) == 0) {
                    DeviceRole donor = counts.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
                    counts.merge(donor, -1, Integer::sum);
                    counts.put(role, 1);
                }
            }
        }
        return Collections.unmodifiableMap(counts);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        weights.forEach((role, w) -> {
            if (w > 0) {
                sb.append(sb.isEmpty() ? "" : ",").append(role.wire()).append('=').append(w);
            }
        });
        return sb.toString();
    }
}
