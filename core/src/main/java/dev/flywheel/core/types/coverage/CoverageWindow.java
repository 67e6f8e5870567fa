package dev.flywheel.core.types.coverage;

import dev.flywheel.core.entropy.EntropyLookup;
import dev.flywheel.core.entropy.EntropyWindow;
import dev.flywheel.core.proof.RejectionReason;
import dev.flywheel.core.types.coverage.CoverageResult.Outcome;
import dev.flywheel.core.types.coverage.CoverageResult.ReciprocityUpdate;
import dev.flywheel.core.types.coverage.CoverageResult.Role;
import dev.flywheel.core.proof.PlausibilityChecks.Failure;
import dev.flywheel.core.proof.ReasonCode;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The cross-report checks of proof of coverage, run once per accepted beacon when its window has closed
 * ({@link #closesAt}), so witnesses that arrived before the beacon, or out of order, are judged together.
 * The result depends only on the inputs and the ports: any input order of the witnesses gives the same result.
 *
 * <p>Witness checks, in Helium's order; the first failure decides the reason:
 * <ol>
 * <li>{@code duplicate_witness}: the device already reported this beacon (the earliest arrival is judged)</li>
 * <li>{@code location_not_asserted}: no valid asserted cell</li>
 * <li>{@code denylisted} / {@code banned_pair}: {@link CoverageDenylist}</li>
 * <li>{@code self_witness}</li>
 * <li>{@code entropy_unknown} / {@code entropy_stale}: the witness arrived outside the beacon entropy's window</li>
 * <li>{@code witness_too_late}: more than 4000 ms after the beacon, or 1500 ms after the first witness report</li>
 * <li>{@code payload_mismatch}: other bytes than the beacon's</li>
 * <li>{@code frequency_mismatch}: more than 100 kHz off</li>
 * <li>{@code region_mismatch}: another {@link RegionResolver} region (or none)</li>
 * <li>{@code witness_too_close}: fewer than 8 H3 res-11 cells apart</li>
 * <li>{@code witness_too_far}: more than 100 km between cell centres</li>
 * <li>{@code rssi_too_strong}: RSSI above tx power + gains - FSPL(distance, witness frequency) + margin</li>
 * </ol>
 * Then reciprocity ({@link ReciprocityHistory}, 48 h): the beaconer must have witnessed, each witness must have
 * beaconed; a beaconer without it invalidates the beacon and every witness ({@code no_reciprocity}, evidence
 * {@code side=beaconer}). Finally the first 14 valid witnesses by arrival are rewarded; later valid ones are
 * flagged {@code witness_cap_exceeded} (valid, 0 units). Units follow {@link Hip15} with n = rewarded witnesses.
 */
public final class CoverageWindow {
    private final CoverageConfig config;
    private final EntropyWindow entropy;
    private final RegionResolver regions;
    private final ReciprocityHistory history;
    private final CoverageDenylist denylist;
    private final AntennaGains gains;
    private final Hip15.Params units;

    public CoverageWindow(CoverageConfig config, EntropyLookup entropy, RegionResolver regions, ReciprocityHistory history,
                          CoverageDenylist denylist, AntennaGains gains) {
        this(config, entropy, regions, history, denylist, gains, Hip15.Params.DEFAULT);
    }

    /** @param units the HIP-15 parameters of the network's rules (config/network.json {@code coverageUnits}) */
    public CoverageWindow(CoverageConfig config, EntropyLookup entropy, RegionResolver regions, ReciprocityHistory history,
                          CoverageDenylist denylist, AntennaGains gains, Hip15.Params units) {
        this.units = Objects.requireNonNull(units, "units");
        this.config = Objects.requireNonNull(config, "config");
        this.entropy = new EntropyWindow(entropy, config.entropyMaxAge());
        this.regions = Objects.requireNonNull(regions, "regions");
        this.history = Objects.requireNonNull(history, "history");
        this.denylist = Objects.requireNonNull(denylist, "denylist");
        this.gains = Objects.requireNonNull(gains, "gains");
    }

    /** Helium's limits, H3 res-3 regions, no bans, 0 dBi antennas. */
    public static CoverageWindow defaults(EntropyLookup entropy, ReciprocityHistory history) {
        return new CoverageWindow(CoverageConfig.defaults(), entropy, RegionResolver.h3Parent(3), history,
                CoverageDenylist.NONE, AntennaGains.ZERO);
    }

    public CoverageConfig config() {
        return config;
    }

    /** When to evaluate a beacon's window: its receive time + the 4000 ms witness lag + the settle delay. */
    public Instant closesAt(Instant beaconReceivedAt) {
        return beaconReceivedAt.plus(config.maxBeaconToWitnessLag()).plus(config.settleDelay());
    }

    /**
     * When a witness whose beacon has not been accepted becomes an orphan ({@link #orphan}): a beacon can arrive
     * at most the entropy window after a witness of it and still be accepted, plus lag and settle delay.
     */
    public Instant orphanAfter(Instant witnessReceivedAt) {
        return witnessReceivedAt.plus(config.entropyMaxAge()).plus(config.maxBeaconToWitnessLag()).plus(config.settleDelay());
    }

    /** The verdict of a witness report whose beacon was never accepted. */
    public static Outcome orphan(WitnessReport w) {
        return new Outcome(w.proofId(), w.deviceId(), false, CoverageReason.BEACON_NOT_FOUND,
                "no accepted beacon " + w.beaconKey(), Map.of("beaconKey", w.beaconKey()), 0);
    }

    /**
     * @param beacon    an accepted beacon (it passed {@link CoverageBeaconRule})
     * @param witnesses every accepted witness report with this beacon's key, in any order
     * @throws IllegalArgumentException when a witness references another beacon
     */
    public CoverageResult evaluate(BeaconReport beacon, Collection<WitnessReport> witnesses) {
        List<WitnessReport> sorted = new ArrayList<>(witnesses);
        for (WitnessReport w : sorted) {
            if (!w.beaconKey().equals(beacon.beaconKey())) {
                throw new IllegalArgumentException("witness " + w.proofId() + " references " + w.beaconKey()
                        + ", not " + beacon.beaconKey());
            }
        }
        sorted.sort(WitnessReport.ARRIVAL);
        Instant firstWitness = sorted.isEmpty() ? null : sorted.get(0).receivedAt();

        // 1. regular checks, in arrival order
        Map<String, String> firstReportOf = new HashMap<>();
        List<Optional<Failure>> regular = new ArrayList<>(sorted.size());
        for (WitnessReport w : sorted) {
            String earlier = firstReportOf.putIfAbsent(w.deviceId(), w.proofId());
            if (earlier != null) {
                regular.add(Optional.of(new Failure(CoverageReason.DUPLICATE_WITNESS,
                        "device already reported this beacon", Map.of("firstProofId", earlier))));
            } else {
                regular.add(checkWitness(beacon, w, firstWitness));
            }
        }

        List<ReciprocityUpdate> updates = new ArrayList<>();
        boolean anyRegularValid = regular.stream().anyMatch(Optional::isEmpty);
        if (anyRegularValid) {
            updates.add(new ReciprocityUpdate(beacon.deviceId(), Role.BEACONED, beacon.receivedAt()));
        }
        for (int i = 0; i < sorted.size(); i++) {
            if (regular.get(i).isEmpty()) {
                updates.add(new ReciprocityUpdate(sorted.get(i).deviceId(), Role.WITNESSED, sorted.get(i).receivedAt()));
            }
        }

        // 2. reciprocity: the beaconer must have witnessed recently; each witness must have beaconed recently
        Optional<Failure> beaconerReciprocity = sorted.isEmpty() ? Optional.empty()
                : reciprocity(history.lastWitnessed(beacon.deviceId()), beacon.receivedAt(), "beaconer");
        List<Optional<Failure>> verdicts = new ArrayList<>(sorted.size());
        for (int i = 0; i < sorted.size(); i++) {
            Optional<Failure> f = regular.get(i);
            if (f.isEmpty()) {
                f = beaconerReciprocity.isPresent() ? beaconerReciprocity
                        : reciprocity(history.lastBeaconed(sorted.get(i).deviceId()), sorted.get(i).receivedAt(), "witness");
            }
            verdicts.add(f);
        }

        // 3. cap and units
        int valid = (int) verdicts.stream().filter(Optional::isEmpty).count();
        int n = Math.min(valid, config.maxRewardedWitnesses());
        long witnessUnits = units.witnessMicros(n);
        List<Outcome> outcomes = new ArrayList<>(sorted.size());
        int rank = 0;
        for (int i = 0; i < sorted.size(); i++) {
            WitnessReport w = sorted.get(i);
            Optional<Failure> f = verdicts.get(i);
            if (f.isPresent()) {
                outcomes.add(new Outcome(w.proofId(), w.deviceId(), false, f.get().reason(), f.get().detail(),
                        f.get().evidence(), 0));
            } else if (++rank <= config.maxRewardedWitnesses()) {
                outcomes.add(new Outcome(w.proofId(), w.deviceId(), true, null, "valid witness " + rank + " of " + n,
                        Map.of("rank", rank, "rewardedWitnesses", n), witnessUnits));
            } else {
                outcomes.add(new Outcome(w.proofId(), w.deviceId(), true, CoverageReason.WITNESS_CAP_EXCEEDED,
                        "valid witness " + rank + " beyond the first " + config.maxRewardedWitnesses(),
                        Map.of("rank", rank, "limit", config.maxRewardedWitnesses()), 0));
            }
        }
        Outcome beaconOutcome = beaconerReciprocity
                .map(f -> new Outcome(beacon.proofId(), beacon.deviceId(), false, f.reason(), f.detail(), f.evidence(), 0))
                .orElseGet(() -> new Outcome(beacon.proofId(), beacon.deviceId(), true, null,
                        n + " rewarded witnesses of " + sorted.size() + " reports",
                        Map.of("rewardedWitnesses", n, "witnessReports", sorted.size(), "validWitnesses", valid),
                        units.beaconerMicros(n)));
        return new CoverageResult(beaconOutcome, outcomes, n, updates);
    }

    private Optional<Failure> reciprocity(Optional<Instant> last, Instant at, String side) {
        long window = config.reciprocityWindow().toMillis();
        if (last.isEmpty()) {
            return Optional.of(new Failure(CoverageReason.NO_RECIPROCITY, side + (side.equals("beaconer")
                    ? " has never witnessed a valid beacon" : " has never sent a witnessed beacon"),
                    Map.of("side", side, "windowMillis", window)));
        }
        long since = at.toEpochMilli() - last.get().toEpochMilli();
        if (since > window) {
            return Optional.of(new Failure(CoverageReason.NO_RECIPROCITY, side + "'s last opposite report is " + since
                    + " ms old, window " + window + " ms",
                    Map.of("side", side, "lastAt", last.get().toEpochMilli(), "sinceMillis", since, "windowMillis", window)));
        }
        return Optional.empty();
    }

    private Optional<Failure> checkWitness(BeaconReport beacon, WitnessReport w, Instant firstWitness) {
        Optional<Failure> location = CoverageWitnessRule.locationAsserted(w.device());
        if (location.isPresent()) {
            return location;
        }
        if (denylist.deviceDenied(w.deviceId())) {
            return fail(ReasonCode.DENYLISTED, "witness is on the operator denylist", Map.of());
        }
        if (denylist.pairBanned(beacon.deviceId(), w.deviceId())) {
            return fail(CoverageReason.BANNED_PAIR, "beaconer/witness pair is banned",
                    Map.of("beaconer", beacon.deviceId(), "witness", w.deviceId()));
        }
        if (w.deviceId().equals(beacon.deviceId())) {
            return fail(CoverageReason.SELF_WITNESS, "a device cannot witness its own beacon", Map.of());
        }
        Optional<Failure> entropyFailure = entropy.check(beacon.beacon().entropy(), w.receivedAt());
        if (entropyFailure.isPresent()) {
            return entropyFailure;
        }
        long lag = millisBetween(beacon.receivedAt(), w.receivedAt());
        long limit = config.maxBeaconToWitnessLag().toMillis();
        if (lag > limit) {
            return fail(CoverageReason.WITNESS_TOO_LATE, "witness arrived " + lag + " ms after the beacon, limit " + limit + " ms",
                    Map.of("after", "beacon", "lagMillis", lag, "limitMillis", limit));
        }
        long lagFirst = millisBetween(firstWitness, w.receivedAt());
        long limitFirst = config.maxWitnessLag().toMillis();
        if (lagFirst > limitFirst) {
            return fail(CoverageReason.WITNESS_TOO_LATE, "witness arrived " + lagFirst + " ms after the first witness, limit "
                    + limitFirst + " ms", Map.of("after", "first_witness", "lagMillis", lagFirst, "limitMillis", limitFirst));
        }
        if (!w.witness().payload().equals(beacon.beacon().payload())) {
            return fail(CoverageReason.PAYLOAD_MISMATCH, "witness reports other bytes than the beacon sent",
                    Map.of("field", "payload"));
        }
        long df = Math.abs(w.witness().frequencyHz() - beacon.beacon().frequencyHz());
        if (df > config.maxFrequencyDeltaHz()) {
            return fail(CoverageReason.FREQUENCY_MISMATCH, "witness frequency is " + df + " Hz off the beacon's",
                    Map.of("beaconHz", beacon.beacon().frequencyHz(), "witnessHz", w.witness().frequencyHz(),
                            "deltaHz", df, "limitHz", config.maxFrequencyDeltaHz()));
        }
        String bCell = beacon.device().h3Cell();
        String wCell = w.device().h3Cell();
        Optional<String> bRegion = regions.regionOf(bCell);
        Optional<String> wRegion = regions.regionOf(wCell);
        if (bRegion.isEmpty() || !bRegion.equals(wRegion)) {
            return fail(CoverageReason.REGION_MISMATCH, "witness is in region " + wRegion.orElse("none") + ", beacon in "
                    + bRegion.orElse("none"), Map.of("beaconRegion", bRegion.orElse(""), "witnessRegion", wRegion.orElse("")));
        }
        int res = config.cellDistanceResolution();
        OptionalLong cells = CoverageGeo.gridDistance(bCell, wCell, res);
        if (cells.isPresent() && cells.getAsLong() < config.minCellDistance()) {
            return fail(CoverageReason.WITNESS_TOO_CLOSE, cells.getAsLong() + " cells apart at resolution " + res + ", minimum "
                    + config.minCellDistance(), Map.of("cellDistance", cells.getAsLong(), "resolution", res,
                    "minCells", config.minCellDistance()));
        }
        double meters = CoverageGeo.distanceMeters(bCell, wCell);
        if (meters > config.maxDistanceMeters()) {
            return fail(CoverageReason.WITNESS_TOO_FAR, String.format(java.util.Locale.ROOT, "%.1f m apart, maximum %.1f m",
                    meters, config.maxDistanceMeters()), Map.of("distanceMeters", meters, "limitMeters", config.maxDistanceMeters()));
        }
        int beaconGain = gains.gainDeciDbi(beacon.deviceId());
        int witnessGain = gains.gainDeciDbi(w.deviceId());
        double fspl = CoverageGeo.fsplDb(meters, w.witness().frequencyHz());
        double maxRssiDbm = (beacon.beacon().txPowerDeciDbm() + beaconGain + witnessGain + config.rssiMarginDeciDb()) / 10.0 - fspl;
        double rssiDbm = w.witness().rssiDeciDbm() / 10.0;
        if (rssiDbm > maxRssiDbm) {
            Map<String, Object> evidence = new LinkedHashMap<>();
            evidence.put("rssiDeciDbm", w.witness().rssiDeciDbm());
            evidence.put("maxRssiDbm", maxRssiDbm);
            evidence.put("fsplDb", fspl);
            evidence.put("distanceMeters", meters);
            evidence.put("frequencyHz", w.witness().frequencyHz());
            evidence.put("txPowerDeciDbm", beacon.beacon().txPowerDeciDbm());
            evidence.put("beaconerGainDeciDbi", beaconGain);
            evidence.put("witnessGainDeciDbi", witnessGain);
            evidence.put("marginDeciDb", config.rssiMarginDeciDb());
            return fail(CoverageReason.RSSI_TOO_STRONG, String.format(java.util.Locale.ROOT,
                    "RSSI %.1f dBm is stronger than free space allows at %.0f m (%.2f dBm)", rssiDbm, meters, maxRssiDbm), evidence);
        }
        return Optional.empty();
    }

    private static long millisBetween(Instant from, Instant to) {
        return Duration.between(from, to).toMillis();
    }

    private static Optional<Failure> fail(RejectionReason reason, String detail, Map<String, Object> evidence) {
        return Optional.of(new Failure(reason, detail, evidence));
    }
}
