package dev.flywheel.core.network;

import dev.flywheel.core.epoch.EmissionSchedule;
import dev.flywheel.core.epoch.EpochClock;
import dev.flywheel.core.reward.RewardRules;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A network's configuration (config/network.json, schema config/network.schema.json): epochs, token,
 * and the reward rules as versions, each in force from a named epoch. Built only by
 * {@link NetworkConfigLoader}, which refuses anything inconsistent.
 */
public record NetworkConfig(String network, Instant genesis, Duration epochLength, Duration lateDataGate,
                            String tokenSymbol, int tokenDecimals, List<RewardRules> versions) {
    public NetworkConfig {
        versions = List.copyOf(versions);
    }

    /**
     * One version, one pool taking every built-in source at weight 1, no cuts, no scaling: the split
     * is plain pro rata over all units (tests and small devnets).
     */
    public static NetworkConfig uniform(EpochClock clock, BigInteger perEpoch, Duration lateDataGate) {
        java.util.SortedMap<String, Long> sources = new java.util.TreeMap<>();
        NetworkConfigLoader.builtInSources().forEach(s -> sources.put(s, 1L));
        RewardRules rules = new RewardRules("uniform", 0,
                List.of(new RewardRules.EmissionStep(0, null, perEpoch, 0, RewardRules.BPS)), List.of(),
                List.of(new RewardRules.Pool("all", RewardRules.BPS, sources, false, null, null)), null);
        return new NetworkConfig("uniform", clock.genesis(), clock.length(), lateDataGate, "FLY", 18, List.of(rules));
    }

    public EpochClock clock() {
        return new EpochClock(genesis, epochLength);
    }

    /** The same network with another genesis and epoch length (the devnet's fast epochs). */
    public NetworkConfig withEpochs(Instant genesis, Duration length) {
        return new NetworkConfig(network, genesis, length, lateDataGate, tokenSymbol, tokenDecimals, versions);
    }

    public NetworkConfig withLateDataGate(Duration gate) {
        return new NetworkConfig(network, genesis, epochLength, gate, tokenSymbol, tokenDecimals, versions);
    }

    /** The rules in force for an epoch: the last version whose effective epoch is at or before it. */
    public RewardRules rulesFor(long epoch) {
        RewardRules found = null;
        for (RewardRules r : versions) {
            if (r.effectiveFromEpoch() <= epoch) {
                found = r;
            }
        }
        if (found == null) {
            throw new IllegalArgumentException("no reward rules in force at epoch " + epoch);
        }
        return found;
    }

    public Optional<RewardRules> version(String id) {
        return versions.stream().filter(r -> r.version().equals(id)).findFirst();
    }

    public EmissionSchedule emission() {
        return epoch -> rulesFor(epoch).emissionFor(epoch);
    }

    /**
     * Refuses a configuration that would change a closed epoch: the version in force at the last
     * closed epoch must be the one it was closed with, so no version takes effect in the past.
     */
    public void checkAgainstClosed(long lastClosed, String closedWithVersion) {
        if (closedWithVersion == null) {
            return;
        }
        if (version(closedWithVersion).isEmpty()) {
            throw new NetworkConfigException(List.of("$.rewards: version '" + closedWithVersion
                    + "' that closed epoch " + lastClosed + " is missing; earlier versions must stay in the file"));
        }
        for (int i = 0; i < versions.size(); i++) {
            RewardRules r = versions.get(i);
            if (r.effectiveFromEpoch() <= lastClosed && !r.version().equals(closedWithVersion)
                    && rulesFor(lastClosed) == r) {
                throw new NetworkConfigException(List.of("$.rewards[" + i + "].effectiveFromEpoch: " + r.effectiveFromEpoch()
                        + " is not after the last closed epoch " + lastClosed + " (closed with version '"
                        + closedWithVersion + "'); a new version takes effect from a future epoch"));
            }
        }
    }
}
