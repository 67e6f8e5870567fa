package dev.flywheel.core.network;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.flywheel.core.json.CanonicalJson;
import dev.flywheel.core.proof.ProofTypes;
import dev.flywheel.core.reward.RewardRules;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Reads and validates a network configuration. Every problem found is reported at once, each as
 * {@code <json path>: <value> <why>}; nothing is defaulted silently except the documented defaults
 * in config/network.schema.json.
 */
public final class NetworkConfigLoader {
    /** The packaged copy of config/network.json inside every jar that depends on core. */
    public static final String RESOURCE = "/flywheel/network.json";
    /**
     * Work units that the coverage window credited (HIP-15) before beacon and witness credits were told apart; a
     * pool may still name it so epochs closed with it recompute. New credits go to {@link #BEACON_SOURCE} and
     * {@link #WITNESS_SOURCE}.
     */
    public static final String COVERAGE_SOURCE = "coverage";
    /** The beaconer's HIP-15 units of an evaluated window (the coverage.beacon proof itself earns none). */
    public static final String BEACON_SOURCE = "coverage.beacon";
    /** Each rewarded witness's HIP-15 units of an evaluated window. */
    public static final String WITNESS_SOURCE = "coverage.witness";
    private static final Pattern ACCOUNT = Pattern.compile("0x[0-9a-f]{40}");
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    private final Set<String> knownSources;
    private final List<String> problems = new ArrayList<>();

    private NetworkConfigLoader(Set<String> knownSources) {
        this.knownSources = knownSources;
    }

    public static Set<String> builtInSources() {
        Set<String> s = new TreeSet<>(ProofTypes.builtIn().wireTypes());
        s.add(COVERAGE_SOURCE);
        s.add(BEACON_SOURCE);
        s.add(WITNESS_SOURCE);
        return s;
    }

    public static NetworkConfig load(Path file) {
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read network configuration " + file, e);
        }
    }

    /** The packaged configuration (config/network.json at build time). */
    public static NetworkConfig packaged() {
        try (InputStream in = NetworkConfigLoader.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("no " + RESOURCE + " on the class path");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    public static NetworkConfig parse(String json) {
        return parse(json, builtInSources());
    }

    public static NetworkConfig parse(String json, Set<String> knownSources) {
        JsonNode root;
        try {
            // The core's one strict mapper (no second mapper at a function's cold start); duplicate members are refused.
            root = CanonicalJson.mapper().readTree(json);
        } catch (JsonProcessingException e) {
            throw new NetworkConfigException(List.of("$: not JSON: " + e.getOriginalMessage()));
        }
        return new NetworkConfigLoader(knownSources).read(root);
    }

    private NetworkConfig read(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new NetworkConfigException(List.of("$: must be a JSON object"));
        }
        members(root, "$", Set.of("$schema", "network", "epoch", "token", "rewards"));
        String network = text(root, "$", "network", NAME);
        JsonNode epoch = object(root, "$", "epoch");
        Instant genesis = null;
        long length = 0;
        long lateData = 0;
        if (epoch != null) {
            members(epoch, "$.epoch", Set.of("genesis", "lengthSeconds", "lateDataSeconds"));
            String g = text(epoch, "$.epoch", "genesis", null);
            if (g != null) {
                try {
                    genesis = Instant.parse(g);
                } catch (DateTimeParseException e) {
                    problem("$.epoch.genesis", g, "is not an ISO-8601 instant (e.g. 2026-01-01T00:00:00Z)");
                }
            }
            length = integer(epoch, "$.epoch", "lengthSeconds", 1, Long.MAX_VALUE / 1000, null);
            lateData = integer(epoch, "$.epoch", "lateDataSeconds", 0, Long.MAX_VALUE / 1000, 3600L);
        }
        JsonNode token = object(root, "$", "token");
        String symbol = null;
        long decimals = 0;
        if (token != null) {
            members(token, "$.token", Set.of("symbol", "decimals"));
            symbol = text(token, "$.token", "symbol", Pattern.compile("[A-Z0-9]{1,11}"));
            decimals = integer(token, "$.token", "decimals", 0, 36, null);
        }
        List<RewardRules> versions = new ArrayList<>();
        JsonNode rewards = root.get("rewards");
        if (rewards == null || !rewards.isArray() || rewards.isEmpty()) {
            problem("$.rewards", rewards, "must be a non-empty array of rule versions");
        } else {
            Set<String> ids = new HashSet<>();
            long previousEffective = Long.MIN_VALUE;
            for (int i = 0; i < rewards.size(); i++) {
                String at = "$.rewards[" + i + "]";
                RewardRules r = rules(rewards.get(i), at);
                if (r == null) {
                    continue;
                }
                if (!ids.add(r.version())) {
                    problem(at + ".version", r.version(), "is used twice");
                }
                if (i == 0 && r.effectiveFromEpoch() != 0) {
                    problem(at + ".effectiveFromEpoch", r.effectiveFromEpoch(), "must be 0 for the first version");
                }
                if (r.effectiveFromEpoch() <= previousEffective) {
                    problem(at + ".effectiveFromEpoch", r.effectiveFromEpoch(),
                            "must be after the previous version's (" + previousEffective + ")");
                }
                previousEffective = r.effectiveFromEpoch();
                versions.add(r);
            }
        }
        if (!problems.isEmpty()) {
            throw new NetworkConfigException(problems);
        }
        return new NetworkConfig(network, genesis, Duration.ofSeconds(length), Duration.ofSeconds(lateData),
                symbol, (int) decimals, versions);
    }

    private RewardRules rules(JsonNode node, String at) {
        if (node == null || !node.isObject()) {
            problem(at, node, "must be an object");
            return null;
        }
        members(node, at, Set.of("version", "effectiveFromEpoch", "emission", "cuts", "pools", "densityScaling", "coverageUnits"));
        String version = text(node, at, "version", NAME);
        long effective = integer(node, at, "effectiveFromEpoch", 0, Long.MAX_VALUE, null);
        List<RewardRules.EmissionStep> steps = emission(node, at);
        int shares = 0;
        List<RewardRules.Cut> cuts = new ArrayList<>();
        JsonNode cutArray = node.get("cuts");
        if (cutArray != null && !cutArray.isArray()) {
            problem(at + ".cuts", cutArray, "must be an array");
        } else if (cutArray != null) {
            for (int i = 0; i < cutArray.size(); i++) {
                String c = at + ".cuts[" + i + "]";
                JsonNode n = cutArray.get(i);
                members(n, c, Set.of("name", "account", "shareBps"));
                String account = text(n, c, "account", ACCOUNT);
                int bps = (int) integer(n, c, "shareBps", 0, RewardRules.BPS, null);
                shares += bps;
                cuts.add(new RewardRules.Cut(text(n, c, "name", NAME), account, bps));
            }
        }
        List<RewardRules.Pool> pools = new ArrayList<>();
        Map<String, String> sourceOwner = new HashMap<>();
        Set<String> poolNames = new HashSet<>();
        boolean anyScaled = false;
        JsonNode poolArray = node.get("pools");
        if (poolArray == null || !poolArray.isArray() || poolArray.isEmpty()) {
            problem(at + ".pools", poolArray, "must be a non-empty array");
        } else {
            for (int i = 0; i < poolArray.size(); i++) {
                String p = at + ".pools[" + i + "]";
                JsonNode n = poolArray.get(i);
                members(n, p, Set.of("name", "shareBps", "sources", "densityScaled", "capPerDevice", "capPerOwner"));
                String name = text(n, p, "name", NAME);
                if (name != null && !poolNames.add(name)) {
                    problem(p + ".name", name, "is used by another pool");
                }
                int bps = (int) integer(n, p, "shareBps", 0, RewardRules.BPS, null);
                shares += bps;
                TreeMap<String, Long> sources = new TreeMap<>();
                JsonNode src = n == null ? null : n.get("sources");
                if (src == null || !src.isObject() || src.isEmpty()) {
                    problem(p + ".sources", src, "must be an object of proof type -> weight, not empty");
                } else {
                    for (Iterator<Map.Entry<String, JsonNode>> it = src.fields(); it.hasNext(); ) {
                        var e = it.next();
                        String s = p + ".sources." + e.getKey();
                        if (!knownSources.contains(e.getKey())) {
                            problem(s, e.getKey(), "is an unknown proof type (known: " + String.join(", ", knownSources) + ")");
                        }
                        String other = sourceOwner.putIfAbsent(e.getKey(), name);
                        if (other != null) {
                            problem(s, e.getKey(), "already feeds pool '" + other + "'");
                        }
                        if (!e.getValue().canConvertToExactIntegral() || e.getValue().asLong() < 1 || e.getValue().asLong() > 1_000_000) {
                            problem(s, e.getValue(), "must be an integer weight from 1 to 1000000");
                        } else {
                            sources.put(e.getKey(), e.getValue().asLong());
                        }
                    }
                }
                boolean scaled = n != null && n.has("densityScaled") && bool(n, p, "densityScaled");
                anyScaled |= scaled;
                pools.add(new RewardRules.Pool(name, bps, sources, scaled, amount(n, p, "capPerDevice", false),
                        amount(n, p, "capPerOwner", false)));
            }
        }
        if (shares > RewardRules.BPS) {
            problem(at + ".pools", shares + " bps", "cuts and pools add up to " + shares / 100 + "." + String.format("%02d", shares % 100)
                    + " % of the emission, more than 100 %");
        }
        RewardRules.DensityScaling density = density(node.get("densityScaling"), at + ".densityScaling");
        if (anyScaled && density == null) {
            problem(at + ".densityScaling", null, "is required when a pool is densityScaled");
        }
        RewardRules.CoverageUnits units = coverageUnits(node.get("coverageUnits"), at + ".coverageUnits");
        return new RewardRules(version, effective, steps, cuts, pools, density, units);
    }

    /** HIP-15 parameters; each absent field takes Helium's value ({@link RewardRules.CoverageUnits#HIP15}). */
    private RewardRules.CoverageUnits coverageUnits(JsonNode node, String at) {
        RewardRules.CoverageUnits d = RewardRules.CoverageUnits.HIP15;
        if (node == null) {
            return d;
        }
        members(node, at, Set.of("redundancy", "decayBps", "beaconerCap", "maxRewardedWitnesses"));
        if (!node.isObject()) {
            return d;
        }
        int redundancy = (int) integer(node, at, "redundancy", 1, 64, (long) d.redundancy());
        // 0 < d < 1: a decay of 1 (10000) never decays, 0 drops every witness past the redundancy to (R - 1) / n
        int decay = (int) integer(node, at, "decayBps", 1, RewardRules.BPS - 1, (long) d.decayBps());
        int cap = (int) integer(node, at, "beaconerCap", 1, 1000, (long) d.beaconerCap());
        int witnesses = (int) integer(node, at, "maxRewardedWitnesses", 0, 1000, (long) d.maxRewardedWitnesses());
        return new RewardRules.CoverageUnits(redundancy, decay, cap, witnesses);
    }

    private List<RewardRules.EmissionStep> emission(JsonNode node, String at) {
        List<RewardRules.EmissionStep> steps = new ArrayList<>();
        JsonNode emission = object(node, at, "emission");
        if (emission == null) {
            return steps;
        }
        members(emission, at + ".emission", Set.of("steps"));
        JsonNode array = emission.get("steps");
        if (array == null || !array.isArray() || array.isEmpty()) {
            problem(at + ".emission.steps", array, "must be a non-empty array");
            return steps;
        }
        RewardRules.EmissionStep previous = null;
        for (int i = 0; i < array.size(); i++) {
            String s = at + ".emission.steps[" + i + "]";
            JsonNode n = array.get(i);
            members(n, s, Set.of("fromEpoch", "untilEpoch", "perEpoch", "reduceEveryEpochs", "keepBps"));
            long from = integer(n, s, "fromEpoch", 0, Long.MAX_VALUE, null);
            Long until = n != null && n.has("untilEpoch") ? integer(n, s, "untilEpoch", from + 1, Long.MAX_VALUE, null) : null;
            BigInteger per = amount(n, s, "perEpoch", true);
            long every = integer(n, s, "reduceEveryEpochs", 0, Long.MAX_VALUE, 0L);
            int keep = (int) integer(n, s, "keepBps", 0, RewardRules.BPS, (long) RewardRules.BPS);
            RewardRules.EmissionStep step = new RewardRules.EmissionStep(from, until, per == null ? BigInteger.ZERO : per, every, keep);
            if (previous != null) {
                if (from <= previous.fromEpoch()) {
                    problem(s + ".fromEpoch", from, "overlaps steps[" + (i - 1) + "] (from " + previous.fromEpoch()
                            + "); steps must be in increasing epoch order");
                } else if (previous.untilEpoch() == null || previous.untilEpoch() > from) {
                    problem(s + ".fromEpoch", from, "overlaps steps[" + (i - 1) + "] (until "
                            + (previous.untilEpoch() == null ? "open-ended" : previous.untilEpoch()) + ")");
                }
            }
            previous = step;
            steps.add(step);
        }
        return steps;
    }

    private RewardRules.DensityScaling density(JsonNode node, String at) {
        if (node == null) {
            return null;
        }
        if (!node.isObject()) {
            problem(at, node, "must be an object");
            return null;
        }
        members(node, at, Set.of("lookbackEpochs", "resolutions"));
        int lookback = (int) integer(node, at, "lookbackEpochs", 1, 10_000, 1L);
        List<RewardRules.HexLimit> limits = new ArrayList<>();
        JsonNode res = node.get("resolutions");
        if (res == null || !res.isArray() || res.isEmpty()) {
            problem(at + ".resolutions", res, "must be a non-empty array");
            return null;
        }
        int previous = -1;
        for (int i = 0; i < res.size(); i++) {
            String r = at + ".resolutions[" + i + "]";
            JsonNode n = res.get(i);
            members(n, r, Set.of("resolution", "neighbors", "target", "max"));
            int resolution = (int) integer(n, r, "resolution", 0, 15, null);
            if (resolution <= previous) {
                problem(r + ".resolution", resolution, "must be greater than the previous entry's (" + previous + ")");
            }
            previous = resolution;
            long target = integer(n, r, "target", 1, Integer.MAX_VALUE, null);
            long max = integer(n, r, "max", 1, Integer.MAX_VALUE, null);
            if (max < target) {
                problem(r + ".max", max, "is below target " + target);
            }
            limits.add(new RewardRules.HexLimit(resolution, (int) integer(n, r, "neighbors", 1, 6, null), target, max));
        }
        return new RewardRules.DensityScaling(lookback, limits);
    }

    // ---- field readers: each reports a problem naming the field and value, and returns a neutral value

    private void members(JsonNode node, String at, Set<String> allowed) {
        if (node == null || !node.isObject()) {
            problem(at, node, "must be an object");
            return;
        }
        node.fieldNames().forEachRemaining(f -> {
            if (!allowed.contains(f)) {
                problem(at + "." + f, node.get(f), "is not a known field (known: " + String.join(", ", new TreeSet<>(allowed)) + ")");
            }
        });
    }

    private JsonNode object(JsonNode node, String at, String field) {
        JsonNode v = node.get(field);
        if (v == null || !v.isObject()) {
            problem(at + "." + field, v, "must be an object");
            return null;
        }
        return v;
    }

    private String text(JsonNode node, String at, String field, Pattern pattern) {
        JsonNode v = node == null ? null : node.get(field);
        if (v == null || !v.isTextual()) {
            problem(at + "." + field, v, "must be a string");
            return null;
        }
        if (pattern != null && !pattern.matcher(v.asText()).matches()) {
            problem(at + "." + field, v, "does not match " + pattern.pattern());
        }
        return v.asText();
    }

    private long integer(JsonNode node, String at, String field, long min, long max, Long fallback) {
        JsonNode v = node == null ? null : node.get(field);
        if (v == null && fallback != null) {
            return fallback;
        }
        if (v == null || !v.isIntegralNumber() || !v.canConvertToLong()) {
            problem(at + "." + field, v, "must be an integer");
            return fallback == null ? Math.max(0, min) : fallback;
        }
        long x = v.asLong();
        if (x < min || x > max) {
            problem(at + "." + field, x, x < min ? (x < 0 && min >= 0 ? "is negative" : "is below " + min)
                    : "is above " + max);
        }
        return x;
    }

    private boolean bool(JsonNode node, String at, String field) {
        JsonNode v = node.get(field);
        if (!v.isBoolean()) {
            problem(at + "." + field, v, "must be true or false");
            return false;
        }
        return v.asBoolean();
    }

    /** A token amount in the smallest unit, written as a decimal string (JSON numbers are doubles). */
    private BigInteger amount(JsonNode node, String at, String field, boolean required) {
        JsonNode v = node == null ? null : node.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                problem(at + "." + field, null, "is required (a decimal string in the token's smallest unit)");
            }
            return null;
        }
        if (!v.isTextual() || !v.asText().matches("-?[0-9]{1,78}")) {
            problem(at + "." + field, v, "must be a decimal string in the token's smallest unit, e.g. \"1000\"");
            return null;
        }
        BigInteger x = new BigInteger(v.asText());
        if (x.signum() < 0) {
            problem(at + "." + field, x, "is negative");
            return null;
        }
        return x;
    }

    private void problem(String field, Object value, String why) {
        String shown = value == null ? "(missing)" : value instanceof JsonNode n ? n.toString() : "'" + value + "'";
        problems.add(field + ": " + shown + " " + why);
    }

}
