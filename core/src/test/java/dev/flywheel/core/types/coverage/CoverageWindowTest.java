package dev.flywheel.core.types.coverage;

import dev.flywheel.core.proof.RejectionReason;
import dev.flywheel.core.types.coverage.CoverageResult.Outcome;
import dev.flywheel.core.types.coverage.CoverageResult.ReciprocityUpdate;
import dev.flywheel.core.types.coverage.CoverageResult.Role;
import dev.flywheel.core.proof.ReasonCode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import static dev.flywheel.core.types.coverage.CoverageFixture.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CoverageWindowTest {
    private final History history = new History();
    private final CoverageWindow window = window(CoverageConfig.defaults(), history);

    private CoverageResult run(WitnessReport... witnesses) {
        return window.evaluate(beacon(), List.of(witnesses));
    }

    private static Outcome only(CoverageResult r) {
        assertEquals(1, r.witnesses().size());
        return r.witnesses().get(0);
    }

    private static void valid(Outcome o) {
        assertTrue(o.valid(), () -> "expected valid, got " + o.reason() + ": " + o.detail());
        assertNull(o.reason());
        assertTrue(o.units() > 0);
    }

    private static Outcome invalid(Outcome o, RejectionReason reason) {
        assertFalse(o.valid(), () -> "expected " + reason + ", got valid");
        assertEquals(reason, o.reason(), o.detail());
        assertEquals(0, o.units());
        return o;
    }

    // ------------------------------------------------------------------ honest

    @Test
    void oneHonestWitnessEarnsTheFullUnitAndTheBeaconerAQuarter() {
        CoverageResult r = run(witness("w1", 5_000, 30, 500));
        valid(only(r));
        assertEquals(1, r.rewardedWitnesses());
        assertEquals(1_000_000, only(r).units());
        assertTrue(r.beacon().valid());
        assertEquals(250_000, r.beacon().units());
        assertEquals(List.of(new ReciprocityUpdate("beaconer", Role.BEACONED, BEACON_RX),
                new ReciprocityUpdate("w1", Role.WITNESSED, BEACON_RX.plusMillis(500))), r.reciprocityUpdates());
    }

    @Test
    void beaconWithoutWitnessesIsValidButEarnsNothing() {
        CoverageResult r = run();
        assertTrue(r.beacon().valid());
        assertEquals(0, r.beacon().units());
        assertEquals(List.of(), r.reciprocityUpdates());
    }

    @Test
    void witnessOfAnotherBeaconIsAProgrammingError() {
        WitnessReport w = witness("w1", 5_000, 30, 0);
        WitnessReport other = withBody(w, new CoverageWitness("someone-else", w.witness().beacon(), w.witness().payload(),
                -1200, 0, FREQ, 0));
        assertThrows(IllegalArgumentException.class, () -> run(other));
    }

    // ------------------------------------------------------------------ checks in order

    @Test
    void secondReportOfTheSameWitnessIsADuplicate() {
        WitnessReport first = witness("w1", 5_000, 30, 100);
        WitnessReport again = new WitnessReport("w-w1-again", first.device(), first.witness(), BEACON_RX.plusMillis(200));
        CoverageResult r = run(again, first);
        valid(r.witnesses().get(0));
        assertEquals("w-w1", r.witnesses().get(0).proofId());
        assertEquals("w-w1", invalid(r.witnesses().get(1), CoverageReason.DUPLICATE_WITNESS).evidence().get("firstProofId"));
    }

    @Test
    void witnessWithoutAssertedLocationIsRejected() {
        WitnessReport w = witness("w1", 5_000, 30, 0);
        invalid(only(run(withDevice(w, device("w1", null)))), CoverageReason.LOCATION_NOT_ASSERTED);
        invalid(only(run(withDevice(w, device("w1", "fffffffffffffff")))), CoverageReason.LOCATION_NOT_ASSERTED);
    }

    @Test
    void deniedWitnessAndBannedPairAreRejected() {
        CoverageDenylist deny = new CoverageDenylist() {
            @Override
            public boolean deviceDenied(String id) {
                return id.equals("w1");
            }

            @Override
            public boolean pairBanned(String beaconer, String witness) {
                return beaconer.equals("beaconer") && witness.equals("w2");
            }
        };
        CoverageWindow w = new CoverageWindow(CoverageConfig.defaults(), LOOKUP, RegionResolver.single("US915"), history,
                deny, AntennaGains.ZERO);
        CoverageResult r = w.evaluate(beacon(), List.of(witness("w1", 5_000, 30, 0), witness("w2", 6_000, 90, 10),
                witness("w3", 7_000, 180, 20)));
        invalid(r.witnesses().get(0), ReasonCode.DENYLISTED);
        invalid(r.witnesses().get(1), CoverageReason.BANNED_PAIR);
        valid(r.witnesses().get(2));
    }

    @Test
    void beaconerCannotWitnessItself() {
        WitnessReport w = witness("beaconer", 5_000, 30, 0);
        invalid(only(run(w)), CoverageReason.SELF_WITNESS);
    }

    @Test
    void witnessArrivingAfterTheEntropyWindowIsStale() {
        // beacon received 177 s into the entropy's life; a witness 3001 ms later is 180.001 s after issue
        BeaconReport late = new BeaconReport("b", beacon().device(), beacon().beacon(), ENTROPY_AT.plusMillis(177_000));
        WitnessReport w = witness("w1", 5_000, 30, 0);
        WitnessReport atLimit = new WitnessReport("a", w.device(), w.witness(), ENTROPY_AT.plusMillis(180_000));
        WitnessReport past = new WitnessReport("a", w.device(), w.witness(), ENTROPY_AT.plusMillis(180_001));
        valid(only(window.evaluate(late, List.of(atLimit))));
        invalid(only(window.evaluate(late, List.of(past))), ReasonCode.ENTROPY_STALE);
    }

    @Test
    void witnessLagAfterTheBeaconIsAtMost4000Ms() {
        valid(only(run(witness("w1", 5_000, 30, 4_000))));
        Outcome o = invalid(only(run(witness("w1", 5_000, 30, 4_001))), CoverageReason.WITNESS_TOO_LATE);
        assertEquals("beacon", o.evidence().get("after"));
        assertEquals(4_001L, o.evidence().get("lagMillis"));
        assertEquals(4_000L, o.evidence().get("limitMillis"));
    }

    @Test
    void witnessMayArriveBeforeTheBeacon() {
        valid(only(run(witness("w1", 5_000, 30, -2_000))));
    }

    @Test
    void witnessLagAfterTheFirstWitnessIsAtMost1500Ms() {
        CoverageResult ok = run(witness("w1", 5_000, 30, 100), witness("w2", 6_000, 90, 1_600));
        valid(ok.witnesses().get(1));
        CoverageResult late = run(witness("w1", 5_000, 30, 100), witness("w2", 6_000, 90, 1_601));
        valid(late.witnesses().get(0));
        Outcome o = invalid(late.witnesses().get(1), CoverageReason.WITNESS_TOO_LATE);
        assertEquals("first_witness", o.evidence().get("after"));
        assertEquals(1_501L, o.evidence().get("lagMillis"));
        assertEquals(1_500L, o.evidence().get("limitMillis"));
    }

    @Test
    void witnessMustReportTheBeaconBytes() {
        WitnessReport w = witness("w1", 5_000, 30, 0);
        String other = BeaconPayload.deriveBase64Url(ENTROPY, "someone-else");
        invalid(only(run(withBody(w, new CoverageWitness("beaconer", w.witness().beacon(), other, -1200, 0, FREQ, 0)))),
                CoverageReason.PAYLOAD_MISMATCH);
    }

    @Test
    void frequencyMayDifferByAtMost100Khz() {
        WitnessReport w = witness("w1", 5_000, 30, 0);
        BeaconReport b = beacon();
        valid(only(run(withBody(w, witnessBody(b, -1200, FREQ + 100_000)))));
        valid(only(run(withBody(w, witnessBody(b, -1200, FREQ - 100_000)))));
        Outcome o = invalid(only(run(withBody(w, witnessBody(b, -1200, FREQ + 100_001)))), CoverageReason.FREQUENCY_MISMATCH);
        assertEquals(100_001L, o.evidence().get("deltaHz"));
        invalid(only(run(withBody(w, witnessBody(b, -1200, FREQ - 100_001)))), CoverageReason.FREQUENCY_MISMATCH);
    }

    @Test
    void witnessInAnotherRegionIsRejected() {
        // res-3 parents: ~5 km is inside the beaconer's parent, ~90 km south is in another one
        CoverageWindow w = new CoverageWindow(CoverageConfig.defaults(), LOOKUP, RegionResolver.h3Parent(3), history,
                CoverageDenylist.NONE, AntennaGains.ZERO);
        WitnessReport near = witness("w1", 5_000, 30, 0);
        assertEquals(CoverageGeo.parent(near.device().h3Cell(), 3), CoverageGeo.parent(beaconerCell(), 3));
        valid(only(w.evaluate(beacon(), List.of(near))));
        WitnessReport far = witness("w2", 90_000, 180, 0);
        if (!CoverageGeo.parent(far.device().h3Cell(), 3).equals(CoverageGeo.parent(beaconerCell(), 3))) {
            invalid(only(w.evaluate(beacon(), List.of(far))), CoverageReason.REGION_MISMATCH);
        }
        CoverageWindow none = new CoverageWindow(CoverageConfig.defaults(), LOOKUP,
                cell -> cell.equals(beaconerCell()) ? Optional.of("US915") : Optional.empty(), history,
                CoverageDenylist.NONE, AntennaGains.ZERO);
        invalid(only(none.evaluate(beacon(), List.of(near))), CoverageReason.REGION_MISMATCH);
    }

    @Test
    void witnessesMustBeAtLeast8Res11CellsAway() {
        long origin = CoverageGeo.atResolution(beaconerCell(), 11);
        String at8 = ring(origin, 8).get(0);
        String at7 = ring(origin, 7).get(0);
        assertEquals(8, CoverageGeo.gridDistance(beaconerCell(), at8, 11).getAsLong());
        WitnessReport w = witness("w1", 5_000, 30, 0);
        valid(only(run(withBody(withDevice(w, device("w1", at8)), witnessBody(beacon(), -1000, FREQ)))));
        Outcome o = invalid(only(run(withBody(withDevice(w, device("w1", at7)), witnessBody(beacon(), -1000, FREQ)))),
                CoverageReason.WITNESS_TOO_CLOSE);
        assertEquals(7L, o.evidence().get("cellDistance"));
        assertEquals(8L, o.evidence().get("minCells"));
    }

    private static List<String> ring(long origin, int k) {
        List<Long> disk = new ArrayList<>(CoverageGeo.h3().gridDisk(origin, k));
        disk.removeAll(CoverageGeo.h3().gridDisk(origin, k - 1));
        return disk.stream().map(CoverageGeo.h3()::h3ToString).toList();
    }

    @Test
    void witnessesMustBeAtMost100KmAway() {
        valid(only(run(witness("w1", 99_000, 30, 0))));
        invalid(only(run(witness("w1", 101_000, 30, 0))), CoverageReason.WITNESS_TOO_FAR);
        // exact boundary on the measured cell-centre distance
        WitnessReport w = witness("w1", 60_000, 30, 0);
        double meters = CoverageGeo.distanceMeters(beaconerCell(), w.device().h3Cell());
        valid(only(window(CoverageConfig.defaults().withMaxDistanceMeters(meters), history)
                .evaluate(beacon(), List.of(w))));
        Outcome o = invalid(only(window(CoverageConfig.defaults().withMaxDistanceMeters(meters - 1), history)
                .evaluate(beacon(), List.of(w))), CoverageReason.WITNESS_TOO_FAR);
        assertEquals(meters, o.evidence().get("distanceMeters"));
    }

    @Test
    void rssiMayNotBeStrongerThanFreeSpaceAllows() {
        WitnessReport w = witness("w1", 10_000, 45, 0);
        double d = CoverageGeo.distanceMeters(beaconerCell(), w.device().h3Cell());
        double fspl = 20 * Math.log10(d) + 20 * Math.log10(FREQ) - 147.55;
        double maxDbm = TX / 10.0 - fspl;                       // 0 dBi gains, no margin
        int atBound = (int) Math.floor(maxDbm * 10);            // deci-dBm just inside
        valid(only(run(withBody(w, witnessBody(beacon(), atBound, FREQ)))));
        Outcome o = invalid(only(run(withBody(w, witnessBody(beacon(), atBound + 1, FREQ)))), CoverageReason.RSSI_TOO_STRONG);
        assertEquals(atBound + 1, o.evidence().get("rssiDeciDbm"));
        assertEquals(maxDbm, (double) o.evidence().get("maxRssiDbm"), 1e-9);
        assertEquals(d, (double) o.evidence().get("distanceMeters"), 1e-9);
        // a 3 dB margin, or antenna gains, move the bound up by exactly that much
        int plus3 = (int) Math.floor((maxDbm + 3) * 10);
        valid(only(window(CoverageConfig.defaults().withRssiMarginDeciDb(30), history)
                .evaluate(beacon(), List.of(withBody(w, witnessBody(beacon(), plus3, FREQ))))));
        CoverageWindow gains = new CoverageWindow(CoverageConfig.defaults(), LOOKUP, RegionResolver.single("US915"), history,
                CoverageDenylist.NONE, id -> 15);
        valid(only(gains.evaluate(beacon(), List.of(withBody(w, witnessBody(beacon(), plus3, FREQ))))));
        invalid(only(gains.evaluate(beacon(), List.of(withBody(w, witnessBody(beacon(), plus3 + 1, FREQ))))),
                CoverageReason.RSSI_TOO_STRONG);
    }

    // ------------------------------------------------------------------ reciprocity

    @Test
    void witnessMustHaveBeaconedWithin48Hours() {
        history.beaconed.put("w1", BEACON_RX.minus(Duration.ofHours(48)));
        valid(only(run(witness("w1", 5_000, 30, 0))));
        history.beaconed.put("w1", BEACON_RX.minus(Duration.ofHours(48)).minusMillis(1));
        Outcome o = invalid(only(run(witness("w1", 5_000, 30, 0))), CoverageReason.NO_RECIPROCITY);
        assertEquals("witness", o.evidence().get("side"));
        history.beaconed.put("w1", null);
        invalid(only(run(witness("w1", 5_000, 30, 0))), CoverageReason.NO_RECIPROCITY);
    }

    @Test
    void beaconerWithoutRecentWitnessInvalidatesTheWholeWindowButRecordsHistory() {
        history.witnessed.put("beaconer", BEACON_RX.minus(Duration.ofHours(48)).minusMillis(1));
        CoverageResult r = run(witness("w1", 5_000, 30, 0), witness("w2", 6_000, 90, 10));
        assertFalse(r.beacon().valid());
        assertEquals(CoverageReason.NO_RECIPROCITY, r.beacon().reason());
        assertEquals(0, r.totalUnits());
        for (Outcome o : r.witnesses()) {
            assertEquals("beaconer", invalid(o, CoverageReason.NO_RECIPROCITY).evidence().get("side"));
        }
        // the regular checks passed: history still records them, so the network can bootstrap
        assertEquals(3, r.reciprocityUpdates().size());
    }

    // ------------------------------------------------------------------ cap and units

    @Test
    void onlyTheFirst14ValidWitnessesByArrivalAreRewarded() {
        List<WitnessReport> ws = new ArrayList<>();
        ws.add(new WitnessReport("w-bad", device("bad", beaconerCell()), witnessBody(beacon(), -1200, FREQ), BEACON_RX));
        for (int i = 0; i < 16; i++) {
            ws.add(witness("w" + i, 3_000 + i * 500, i * 22.5, 100 + i * 10));
        }
        CoverageResult r = window.evaluate(beacon(), ws);
        invalid(r.witnesses().get(0), CoverageReason.WITNESS_TOO_CLOSE);
        assertEquals(14, r.rewardedWitnesses());
        long each = Hip15.witnessMicros(14);
        for (int i = 1; i <= 14; i++) {
            valid(r.witnesses().get(i));
            assertEquals(each, r.witnesses().get(i).units());
        }
        Outcome fifteenth = r.witnesses().get(15);
        assertEquals("w-w14", fifteenth.proofId());
        assertTrue(fifteenth.valid());
        assertEquals(CoverageReason.WITNESS_CAP_EXCEEDED, fifteenth.reason());
        assertEquals(0, fifteenth.units());
        assertEquals(15, fifteenth.evidence().get("rank"));
        assertEquals(CoverageReason.WITNESS_CAP_EXCEEDED, r.witnesses().get(16).reason());
        assertEquals(Hip15.beaconerMicros(14), r.beacon().units());
        assertEquals(Hip15.beaconerMicros(14) + 14 * each, r.totalUnits());
        // 16 regular-valid witnesses + the beaconer are recorded for reciprocity
        assertEquals(17, r.reciprocityUpdates().size());
    }

    // ------------------------------------------------------------------ gaming

    @Test
    void colludingClusterIsRejectedWithReasons() {
        BeaconReport b = beacon();
        List<WitnessReport> ring = new ArrayList<>();
        // four "witnesses" on the same roof or next door: within 8 res-11 cells
        for (int i = 0; i < 4; i++) {
            ring.add(new WitnessReport("ring-" + i, device("ring-" + i, cellFrom(40 + i * 20, i * 90)),
                    witnessBody(b, -400, FREQ), BEACON_RX.plusMillis(50 + i)));
        }
        // claims to be 30 km away but hears the beacon at -40 dBm: impossible in free space (bound ~ -94 dBm)
        ring.add(new WitnessReport("ring-far", device("ring-far", cellFrom(30_000, 200)), witnessBody(b, -400, FREQ),
                BEACON_RX.plusMillis(60)));
        // a spoofer claiming a location 400 km away
        ring.add(new WitnessReport("ring-vpn", device("ring-vpn", cellFrom(400_000, 10)), witnessBody(b, -1300, FREQ),
                BEACON_RX.plusMillis(70)));
        WitnessReport honest = witness("honest", 8_000, 120, 80);
        ring.add(honest);
        CoverageResult r = window.evaluate(b, ring);
        for (Outcome o : r.witnesses()) {
            if (o.proofId().startsWith("ring-") && !o.proofId().equals("ring-far") && !o.proofId().equals("ring-vpn")) {
                invalid(o, CoverageReason.WITNESS_TOO_CLOSE);
            }
        }
        Outcome far = r.witnesses().stream().filter(o -> o.proofId().equals("ring-far")).findFirst().orElseThrow();
        invalid(far, CoverageReason.RSSI_TOO_STRONG);
        assertTrue((double) far.evidence().get("maxRssiDbm") < -90);
        invalid(r.witnesses().stream().filter(o -> o.proofId().equals("ring-vpn")).findFirst().orElseThrow(),
                CoverageReason.WITNESS_TOO_FAR);
        valid(r.witnesses().stream().filter(o -> o.proofId().equals(honest.proofId())).findFirst().orElseThrow());
        assertEquals(1, r.rewardedWitnesses());
        assertEquals(250_000, r.beacon().units());
    }

    // ------------------------------------------------------------------ order independence

    @Test
    void outOfOrderArrivalGivesTheSameResultAsInOrder() {
        List<WitnessReport> inOrder = new ArrayList<>();
        for (int i = 0; i < 18; i++) {
            inOrder.add(witness("w" + i, 3_000 + i * 700, i * 20.0, 100 + i * 100L));   // the last ones exceed 1500 ms after the first
        }
        inOrder.add(new WitnessReport("w-dup", inOrder.get(3).device(), inOrder.get(3).witness(), BEACON_RX.plusMillis(150)));
        inOrder.add(new WitnessReport("same-time-a", device("ta", cellFrom(20_000, 5)), witnessBody(beacon(), -1200, FREQ),
                BEACON_RX.plusMillis(400)));
        inOrder.add(new WitnessReport("same-time-b", device("tb", cellFrom(21_000, 15)), witnessBody(beacon(), -1200, FREQ),
                BEACON_RX.plusMillis(400)));
        inOrder.sort(WitnessReport.ARRIVAL);
        CoverageResult expected = window.evaluate(beacon(), inOrder);
        assertTrue(expected.witnesses().stream().anyMatch(o -> o.reason() == CoverageReason.WITNESS_TOO_LATE));
        assertTrue(expected.witnesses().stream().anyMatch(o -> o.reason() == CoverageReason.DUPLICATE_WITNESS));
        Random random = new Random(7);
        for (int round = 0; round < 20; round++) {
            List<WitnessReport> shuffled = new ArrayList<>(inOrder);
            Collections.shuffle(shuffled, random);
            assertEquals(expected, window.evaluate(beacon(), shuffled));
        }
        List<WitnessReport> reversed = new ArrayList<>(inOrder);
        Collections.reverse(reversed);
        assertEquals(expected, window.evaluate(beacon(), reversed));
    }

    // ------------------------------------------------------------------ scheduling

    @Test
    void windowTimesAndOrphans() {
        assertEquals(BEACON_RX.plusMillis(4_000).plusSeconds(60), window.closesAt(BEACON_RX));
        assertEquals(BEACON_RX.plusSeconds(180).plusMillis(4_000).plusSeconds(60), window.orphanAfter(BEACON_RX));
        Outcome o = CoverageWindow.orphan(witness("w1", 5_000, 30, 0));
        invalid(o, CoverageReason.BEACON_NOT_FOUND);
        assertEquals(beacon().beaconKey(), o.evidence().get("beaconKey"));
    }
}
