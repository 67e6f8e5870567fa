package dev.flywheel.core.reward;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One version of a network's reward rules, in force from {@code effectiveFromEpoch} until the next
 * version. Shares are basis points (1/100 %) of the epoch's emission; amounts are in the token's
 * smallest unit. Built and validated by {@code core/network}'s loader; see docs/rewards.md.
 */
public record RewardRules(String version, long effectiveFromEpoch, List<EmissionStep> emission, List<Cut> cuts,
                          List<Pool> pools, DensityScaling density, CoverageUnits coverageUnits) {
    public static final int BPS = 10_000;

    public RewardRules {
        emission = List.copyOf(emission);
        cuts = List.copyOf(cuts);
        pools = List.copyOf(pools);
        java.util.Objects.requireNonNull(coverageUnits, "coverageUnits");
    }

    /** Rules with the HIP-15 defaults for coverage units. */
    public RewardRules(String version, long effectiveFromEpoch, List<EmissionStep> emission, List<Cut> cuts,
                       List<Pool> pools, DensityScaling density) {
        this(version, effectiveFromEpoch, emission, cuts, pools, density, CoverageUnits.HIP15);
    }

    /**
     * How a coverage window turns rewarded witnesses into units (HIP-15), applied when the window is evaluated,
     * under the rules in force then; the units are credited to the {@code coverage.beacon} and
     * {@code coverage.witness} sources. With d = decayBps / 10000 and R = redundancy, for n rewarded witnesses:
     * beaconer n/R (n <= R), min(beaconerCap, beaconerCap - d^(n-R)) above; each witness 1 (n <= R),
     * (R - (1 - d^(n-R))) / n above. Only the first {@code maxRewardedWitnesses} valid witnesses by arrival count.
     */
    public record CoverageUnits(int redundancy, int decayBps, int beaconerCap, int maxRewardedWitnesses) {
        /** Helium's values: redundancy 4, decay 0.8, cap 2, 14 witnesses. */
        public static final CoverageUnits HIP15 = new CoverageUnits(4, 8000, 2, 14);
    }

    /**
     * One step of the emission schedule: {@code perEpoch} from {@code fromEpoch} until {@code untilEpoch}
     * (exclusive; null: open-ended), multiplied by {@code keepBps}/10000 (rounded down) after every
     * {@code reduceEveryEpochs} epochs of the step (0: never; keepBps 5000 is a halving).
     */
    public record EmissionStep(long fromEpoch, Long untilEpoch, BigInteger perEpoch, long reduceEveryEpochs, int keepBps) {
        boolean covers(long epoch) {
            return epoch >= fromEpoch && (untilEpoch == null || epoch < untilEpoch);
        }

        BigInteger amountFor(long epoch) {
            BigInteger amount = perEpoch;
            if (reduceEveryEpochs > 0 && keepBps < BPS) {
                long reductions = (epoch - fromEpoch) / reduceEveryEpochs;
                BigInteger keep = BigInteger.valueOf(keepBps);
                BigInteger bps = BigInteger.valueOf(BPS);
                for (long i = 0; i < reductions && amount.signum() > 0; i++) {
                    amount = amount.multiply(keep).divide(bps);
                }
            }
            return amount;
        }
    }

    /** A fixed share of the emission paid to one account (operator, treasury), before the pools. */
    public record Cut(String name, String account, int shareBps) {
    }

    /**
     * A reward pool: {@code shareBps} of the emission split over the devices' units from {@code sources}
     * (proof type wire names or {@code coverage}), each source's units multiplied by its weight.
     *
     * @param capPerDevice at most this much of the pool per device per epoch; null: no cap
     * @param capPerOwner  at most this much of the pool per owner per epoch; null: no cap
     */
    public record Pool(String name, int shareBps, SortedMap<String, Long> sources, boolean densityScaled,
                       BigInteger capPerDevice, BigInteger capPerOwner) {
        public Pool {
            sources = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(sources));
        }
    }

    /** HIP-17 limits at one H3 resolution. */
    public record HexLimit(int resolution, int neighbors, long target, long max) {
    }

    /**
     * HIP-17 hex density scaling: counted over devices with work in the closing epoch or the
     * {@code lookbackEpochs - 1} epochs before it, at their asserted cells.
     */
    public record DensityScaling(int lookbackEpochs, List<HexLimit> resolutions) {
        public DensityScaling {
            resolutions = List.copyOf(resolutions);
        }
    }

    /** Scheduled emission of an epoch; zero outside every step. */
    public BigInteger emissionFor(long epoch) {
        for (EmissionStep s : emission) {
            if (s.covers(epoch)) {
                return s.amountFor(epoch);
            }
        }
        return BigInteger.ZERO;
    }

    /** The pool a work source's units go to, or null when no pool takes them. */
    public Pool poolOf(String source) {
        for (Pool p : pools) {
            if (p.sources().containsKey(source)) {
                return p;
            }
        }
        return null;
    }

    /** These rules as JSON, every default explicit: the form the manifest embeds and the loader reads. */
    public ObjectNode toJson() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode o = f.objectNode();
        o.put("version", version);
        o.put("effectiveFromEpoch", effectiveFromEpoch);
        var steps = o.putObject("emission").putArray("steps");
        for (EmissionStep s : emission) {
            ObjectNode n = steps.addObject().put("fromEpoch", s.fromEpoch()).put("perEpoch", s.perEpoch().toString())
                    .put("reduceEveryEpochs", s.reduceEveryEpochs()).put("keepBps", s.keepBps());
            if (s.untilEpoch() != null) {
                n.put("untilEpoch", s.untilEpoch());
            }
        }
        var cutArray = o.putArray("cuts");
        for (Cut c : cuts) {
            cutArray.addObject().put("name", c.name()).put("account", c.account()).put("shareBps", c.shareBps());
        }
        var poolArray = o.putArray("pools");
        for (Pool p : pools) {
            ObjectNode n = poolArray.addObject().put("name", p.name()).put("shareBps", p.shareBps())
                    .put("densityScaled", p.densityScaled());
            ObjectNode src = n.putObject("sources");
            for (Map.Entry<String, Long> e : p.sources().entrySet()) {
                src.put(e.getKey(), e.getValue());
            }
            if (p.capPerDevice() != null) {
                n.put("capPerDevice", p.capPerDevice().toString());
            }
            if (p.capPerOwner() != null) {
                n.put("capPerOwner", p.capPerOwner().toString());
            }
        }
        o.putObject("coverageUnits").put("redundancy", coverageUnits.redundancy()).put("decayBps", coverageUnits.decayBps())
                .put("beaconerCap", coverageUnits.beaconerCap()).put("maxRewardedWitnesses", coverageUnits.maxRewardedWitnesses());
        if (density != null) {
            ObjectNode d = o.putObject("densityScaling").put("lookbackEpochs", density.lookbackEpochs());
            var res = d.putArray("resolutions");
            for (HexLimit h : density.resolutions()) {
                res.addObject().put("resolution", h.resolution()).put("neighbors", h.neighbors())
                        .put("target", h.target()).put("max", h.max());
            }
        }
        return o;
    }
}
