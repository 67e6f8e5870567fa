package dev.flywheel.device.sim;

import dev.flywheel.core.crypto.DeviceSigningKey;
import dev.flywheel.core.crypto.SignatureScheme;
import dev.flywheel.core.types.coverage.CoverageBeacon;
import dev.flywheel.core.types.coverage.CoverageWitness;
import dev.flywheel.core.proof.ProofCodec;
import dev.flywheel.core.types.coverage.BeaconPayload;
import dev.flywheel.core.types.coverage.CoverageGeo;
import dev.flywheel.device.pki.CertificateFiles;
import dev.flywheel.device.pki.LocalCertificateAuthority;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * A proof-of-coverage scenario: one beaconer and witnesses of each {@link CoverageRole}, placed around it, with
 * the signed beacon and witness proofs they publish. Placement: the beaconer sits at the centre of an H3 res-3 cell
 * (so every device shares its res-3 region, the default {@code RegionResolver}); honest and spoofing witnesses are
 * 2 to 6 km away (hundreds of res-11 cells, far under 100 km); colluders are 15 to 60 m away (under 8 res-11 cells).
 * Cells are asserted at resolution 12.
 */
public final class CoverageFleet {
    /** The beacon's frequency (US915 channel) and conducted power, 27 dBm. */
    public static final long FREQUENCY_HZ = 904_100_000L;
    public static final int TX_POWER_DECI_DBM = 270;
    /** An honest witness reports this far below the free-space bound (fading, antenna, cable loss). */
    public static final double HONEST_LOSS_DB = 25.0;
    /** What a spoofer claims: -30 dBm, impossible a few km from a 27 dBm transmitter. */
    public static final int SPOOFED_RSSI_DECI_DBM = -300;
    private static final int ASSERT_RES = 12;
    private static final double EARTH_M = 6_371_007.180918475;

    /** One participant: its device (certificate, keys, asserted cell) and coverage role. */
    public record Member(SimulatedDevice device, CoverageRole role) {
        public String deviceId() {
            return device.deviceId();
        }
    }

    private final Member beaconer;
    private final List<Member> witnesses;

    private CoverageFleet(Member beaconer, List<Member> witnesses) {
        this.beaconer = beaconer;
        this.witnesses = List.copyOf(witnesses);
    }

    public Member beaconer() {
        return beaconer;
    }

    public List<Member> witnesses() {
        return witnesses;
    }

    public List<Member> all() {
        List<Member> all = new ArrayList<>();
        all.add(beaconer);
        all.addAll(witnesses);
        return all;
    }

    /**
     * Provisions a beaconer and {@code honest + spoofed + colluding} witnesses (keys, certificates from {@code ca}
     * written into {@code dir}), each owned by {@code owner}, around the res-3 region of {@code anchorCell}.
     */
    public static CoverageFleet provision(LocalCertificateAuthority ca, Path dir, SecureRandom rnd, String idPrefix,
                                          String owner, String anchorCell, int honest, int spoofed, int colluding) {
        Objects.requireNonNull(owner, "owner");
        String prefix = idPrefix != null ? idPrefix : "cov-" + HexFormat.of().formatHex(bytes(rnd, 3)) + "-";
        double[] centre = CoverageGeo.centre(CoverageGeo.parent(anchorCell, 3));
        Member beaconer = member(ca, dir, rnd, prefix + "beaconer", owner, CoverageRole.HONEST_BEACONER,
                CoverageGeo.cellAt(centre[0], centre[1], ASSERT_RES));
        List<Member> witnesses = new ArrayList<>();
        int total = honest + spoofed + colluding;
        int i = 0;
        for (int k = 0; k < honest; k++, i++) {
            witnesses.add(member(ca, dir, rnd, prefix + "honest-" + (k + 1), owner, CoverageRole.HONEST_WITNESS,
                    cellFrom(centre, 2000 + 4000.0 * k / Math.max(1, honest), 360.0 * i / total)));
        }
        for (int k = 0; k < spoofed; k++, i++) {
            witnesses.add(member(ca, dir, rnd, prefix + "spoofed-rssi-" + (k + 1), owner, CoverageRole.SPOOFED_RSSI,
                    cellFrom(centre, 3000 + 500.0 * k, 360.0 * i / total)));
        }
        for (int k = 0; k < colluding; k++, i++) {
            witnesses.add(member(ca, dir, rnd, prefix + "colluding-" + (k + 1), owner, CoverageRole.COLLUDING,
                    cellFrom(centre, 15 + 45.0 * k / Math.max(1, colluding), 360.0 * i / total)));
        }
        return new CoverageFleet(beaconer, witnesses);
    }

    private static Member member(LocalCertificateAuthority ca, Path dir, SecureRandom rnd, String id, String owner,
                                 CoverageRole role, String cell) {
        DeviceSigningKey key = DeviceSigningKey.generate(SignatureScheme.ED25519, rnd);
        CertificateFiles files = ca.issue(id).writeTo(dir);
        return new Member(new SimulatedDevice(id, DeviceRole.HONEST, key, null, files.certPath(), files.keyPath(), owner, cell),
                role);
    }

    /** The beacon body the beaconer transmits with {@code entropyHex}. */
    public CoverageBeacon beaconBody(String entropyHex) {
        byte[] payload = BeaconPayload.derive(entropyHex, beaconer.deviceId());
        return new CoverageBeacon(entropyHex, FREQUENCY_HZ, "sf7bw125", TX_POWER_DECI_DBM,
                BeaconPayload.deriveBase64Url(entropyHex, beaconer.deviceId()), BeaconPayload.beaconId(payload));
    }

    /** The beaconer's signed beacon proof. */
    public byte[] beaconProof(String entropyHex, long seq, Clock clock) {
        SimulatedDevice d = beaconer.device();
        return ProofCodec.encode(d.deviceId(), seq, clock.instant(), d.h3Cell(), beaconBody(entropyHex), d.signingKey());
    }

    /** The RSSI a witness reports, per its role, in tenths of a dBm. */
    public int rssiOf(Member witness) {
        double meters = CoverageGeo.distanceMeters(beaconer.device().h3Cell(), witness.device().h3Cell());
        double bound = TX_POWER_DECI_DBM / 10.0 - CoverageGeo.fsplDb(Math.max(1, meters), FREQUENCY_HZ);
        return switch (witness.role()) {
            case SPOOFED_RSSI -> SPOOFED_RSSI_DECI_DBM;
            case HONEST_WITNESS, COLLUDING, HONEST_BEACONER ->
                    (int) Math.max(-1800, Math.floor((bound - HONEST_LOSS_DB) * 10));
        };
    }

    /** {@code witness}'s signed report of the beacon built from {@code entropyHex}. */
    public byte[] witnessProof(Member witness, String entropyHex, long seq, Clock clock) {
        return witnessProof(witness, entropyHex, seq, clock, witness.device().signingKey());
    }

    /** The same report signed with another key: what a forger publishes ({@code bad_signature}). */
    public byte[] witnessProof(Member witness, String entropyHex, long seq, Clock clock, DeviceSigningKey key) {
        CoverageBeacon b = beaconBody(entropyHex);
        CoverageWitness body = new CoverageWitness(beaconer.deviceId(), b.id(), b.payload(), rssiOf(witness), 55,
                FREQUENCY_HZ, clock.millis());
        SimulatedDevice d = witness.device();
        return ProofCodec.encode(d.deviceId(), seq, clock.instant(), d.h3Cell(), body, key);
    }

    /** A res-12 cell about {@code meters} from {@code centre} on {@code bearingDeg}. */
    static String cellFrom(double[] centre, double meters, double bearingDeg) {
        double d = meters / EARTH_M;
        double b = Math.toRadians(bearingDeg);
        double la = Math.toRadians(centre[0]);
        double lo = Math.toRadians(centre[1]);
        double lat2 = Math.asin(Math.sin(la) * Math.cos(d) + Math.cos(la) * Math.sin(d) * Math.cos(b));
        double lng2 = lo + Math.atan2(Math.sin(b) * Math.sin(d) * Math.cos(la), Math.cos(d) - Math.sin(la) * Math.sin(lat2));
        return CoverageGeo.cellAt(Math.toDegrees(lat2), Math.toDegrees(lng2), ASSERT_RES);
    }

    private static byte[] bytes(SecureRandom rnd, int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }
}
