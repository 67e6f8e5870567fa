package dev.flywheel.core.epoch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flywheel.core.network.NetworkConfig;
import dev.flywheel.core.reward.RewardRules;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Recomputes a closed epoch from the stored verified work, under the rules version it was closed
 * with and with the devices' cells as the manifest recorded them at close, and compares the result
 * with the stored manifest document field by field.
 */
public final class EpochRecompute {
    private static final int MAX_DIFFERENCES = 100;

    private final EpochLedger ledger;
    private final EpochCloser closer;
    private final NetworkConfig config;

    public EpochRecompute(EpochLedger ledger, EpochCloser closer, NetworkConfig config) {
        this.ledger = ledger;
        this.closer = closer;
        this.config = config;
    }

    /**
     * @param differences one line per differing field, {@code path: stored X, recomputed Y} (the first 100)
     */
    public record Result(long epoch, String configVersion, String storedHash, String recomputedHash,
                         long devices, List<String> differences) {
        public boolean matches() {
            return storedHash.equals(recomputedHash);
        }
    }

    public Result recompute(long epoch, EpochCloser.Progress progress) {
        byte[] stored = ledger.manifestDocument(epoch)
                .orElseThrow(() -> new IllegalArgumentException("epoch " + epoch + " has no stored manifest (not closed?)"));
        String version = ledger.configVersion(epoch).orElseThrow();
        RewardRules rules = config.version(version).orElseThrow(() -> new IllegalArgumentException(
                "epoch " + epoch + " was closed with rules version '" + version + "', which the configuration no longer has"));
        // Density scaling uses the cells recorded at close (a manifest from before they were recorded: today's).
        DeviceLocations cellsAtClose = ManifestDocument.densityCells(stored).map(DeviceLocations::of).orElse(null);
        EpochCloser.Computed c = cellsAtClose == null ? closer.compute(epoch, rules, ledger.balances(epoch - 1), progress)
                : closer.compute(epoch, rules, ledger.balances(epoch - 1), progress, cellsAtClose);
        String storedHash = ManifestDocument.hash(stored);
        List<String> differences = storedHash.equals(c.manifestHash()) ? List.of() : diff(stored, c.document());
        return new Result(epoch, version, storedHash, c.manifestHash(), c.allocation().devices().size(), differences);
    }

    static List<String> diff(byte[] stored, byte[] recomputed) {
        ObjectMapper mapper = new ObjectMapper();
        try {
            JsonNode a = mapper.readTree(stored);
            JsonNode b = mapper.readTree(recomputed);
            List<String> out = new ArrayList<>();
            compareObjects("", a, b, out);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("stored manifest is not JSON", e);
        }
    }

    private static void compareObjects(String at, JsonNode a, JsonNode b, List<String> out) {
        TreeSet<String> keys = new TreeSet<>();
        a.fieldNames().forEachRemaining(keys::add);
        b.fieldNames().forEachRemaining(keys::add);
        for (String k : keys) {
            String path = at.isEmpty() ? k : at + "." + k;
            if (k.equals("allocations")) {
                compareAllocations(a.get(k), b.get(k), out);
            } else {
                compare(path, a.get(k), b.get(k), out);
            }
        }
    }

    private static void compare(String path, JsonNode a, JsonNode b, List<String> out) {
        if (out.size() >= MAX_DIFFERENCES) {
            return;
        }
        if (a != null && b != null && a.isObject() && b.isObject()) {
            compareObjects(path, a, b, out);
        } else if (a != null && b != null && a.isArray() && b.isArray() && a.size() == b.size()) {
            for (int i = 0; i < a.size(); i++) {
                compare(path + "[" + i + "]", a.get(i), b.get(i), out);
            }
        } else if (a == null || !a.equals(b)) {
            out.add(path + ": stored " + (a == null ? "(absent)" : a) + ", recomputed " + (b == null ? "(absent)" : b));
        }
    }

    /** Allocations are matched by device, so one changed device is one line, not a shifted list. */
    private static void compareAllocations(JsonNode a, JsonNode b, List<String> out) {
        Map<String, JsonNode> stored = byDevice(a);
        Map<String, JsonNode> recomputed = byDevice(b);
        TreeSet<String> devices = new TreeSet<>(stored.keySet());
        devices.addAll(recomputed.keySet());
        for (String d : devices) {
            compare("allocations[device=" + d + "]", stored.get(d), recomputed.get(d), out);
        }
    }

    private static Map<String, JsonNode> byDevice(JsonNode array) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        if (array != null) {
            for (Iterator<JsonNode> it = array.elements(); it.hasNext(); ) {
                JsonNode n = it.next();
                out.put(n.path("device").asText(), n);
            }
        }
        return out;
    }
}
