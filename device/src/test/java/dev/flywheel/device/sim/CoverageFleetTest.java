package dev.flywheel.device.sim;

import dev.flywheel.core.types.coverage.CoverageWitness;
import dev.flywheel.core.proof.ProofCodec;
import dev.flywheel.core.types.coverage.CoverageGeo;
import dev.flywheel.device.pki.LocalCertificateAuthority;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Placement and radio numbers of the coverage scenario, checked against the window's rules. */
class CoverageFleetTest {
    private static final String ENTROPY = "7f0c1e9a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6";

    @TempDir
    Path dir;

    @Test
    void placesEachRoleWhereTheWindowJudgesItAsIntended() throws Exception {
        var ca = LocalCertificateAuthority.createSelfSigned("Cov CA", Duration.ofDays(1), new SecureRandom());
        CoverageFleet fleet = CoverageFleet.provision(ca, dir, new SecureRandom(), "t-", "0x" + "a".repeat(40),
                H3Cells.DEFAULT_ANCHOR, 4, 2, 3);
        String b = fleet.beaconer().device().h3Cell();
        assertEquals(9, fleet.witnesses().size());
        for (CoverageFleet.Member w : fleet.witnesses()) {
            String c = w.device().h3Cell();
            assertEquals(CoverageGeo.parent(b, 3), CoverageGeo.parent(c, 3), "same res-3 region");
            long cells = CoverageGeo.gridDistance(b, c, 11).orElseThrow();
            double meters = CoverageGeo.distanceMeters(b, c);
            double bound = CoverageFleet.TX_POWER_DECI_DBM / 10.0 - CoverageGeo.fsplDb(meters, CoverageFleet.FREQUENCY_HZ);
            double rssi = fleet.rssiOf(w) / 10.0;
            switch (w.role()) {
                case HONEST_WITNESS -> {
                    assertTrue(cells >= 8 && meters < 100_000, w + ": " + cells + " cells, " + meters + " m");
                    assertTrue(rssi <= bound, rssi + " dBm must be below the free-space bound " + bound);
                }
                case SPOOFED_RSSI -> {
                    assertTrue(cells >= 8 && meters < 100_000);
                    assertTrue(rssi > bound + 20, rssi + " dBm must be far above " + bound);
                }
                case COLLUDING -> assertTrue(cells < 8, w + " is " + cells + " cells away");
                case HONEST_BEACONER -> throw new AssertionError("a witness cannot be the beaconer");
            }
        }
        var envelope = ProofCodec.decode(fleet.witnessProof(fleet.witnesses().get(0), ENTROPY, 1, Clock.systemUTC()));
        CoverageWitness body = (CoverageWitness) envelope.body();
        assertEquals(fleet.beaconBody(ENTROPY).beaconKey(fleet.beaconer().deviceId()), body.beaconKey());
        assertEquals(fleet.beaconBody(ENTROPY).payload(), body.payload());
    }
}
