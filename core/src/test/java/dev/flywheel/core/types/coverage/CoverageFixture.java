package dev.flywheel.core.types.coverage;

import dev.flywheel.core.crypto.SignatureScheme;
import dev.flywheel.core.entropy.EntropyLookup;
import dev.flywheel.core.proof.DeviceRecord;
import dev.flywheel.core.proof.DeviceStatus;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** Shared builders: devices placed by distance and bearing from a beaconer in San Francisco. */
final class CoverageFixture {
    static final String ENTROPY = "7f0c1e9a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6";
    static final Instant ENTROPY_AT = Instant.parse("2026-03-01T12:00:00Z");
    static final Instant BEACON_RX = ENTROPY_AT.plusSeconds(10);
    static final long FREQ = 904_100_000L;
    static final int TX = 270;
    static final double LAT = 37.7749;
    static final double LNG = -122.4194;
    static final int ASSERT_RES = 12;
    static final EntropyLookup LOOKUP = e -> ENTROPY.equals(e) ? Optional.of(ENTROPY_AT) : Optional.empty();
    static final double EARTH_M = 6_371_007.180918475;

    private CoverageFixture() {
    }

    static String cellAt(double lat, double lng, int res) {
        return CoverageGeo.h3().latLngToCellAddress(lat, lng, res);
    }

    /** A cell about {@code meters} from the beaconer's position on {@code bearingDeg}. */
    static String cellFrom(double meters, double bearingDeg) {
        double d = meters / EARTH_M;
        double b = Math.toRadians(bearingDeg);
        double la = Math.toRadians(LAT);
        double lo = Math.toRadians(LNG);
        double lat2 = Math.asin(Math.sin(la) * Math.cos(d) + Math.cos(la) * Math.sin(d) * Math.cos(b));
        double lng2 = lo + Math.atan2(Math.sin(b) * Math.sin(d) * Math.cos(la), Math.cos(d) - Math.sin(la) * Math.sin(lat2));
        return cellAt(Math.toDegrees(lat2), Math.toDegrees(lng2), ASSERT_RES);
    }

    static String beaconerCell() {
        return cellAt(LAT, LNG, ASSERT_RES);
    }

    static DeviceRecord device(String id, String cell) {
        return new DeviceRecord(id, SignatureScheme.ED25519, new byte[32], "0x" + "1".repeat(40), DeviceStatus.ACTIVE, cell);
    }

    static CoverageBeacon beaconBody(String deviceId) {
        byte[] payload = BeaconPayload.derive(ENTROPY, deviceId);
        return new CoverageBeacon(ENTROPY, FREQ, "sf7bw125", TX, BeaconPayload.deriveBase64Url(ENTROPY, deviceId),
                BeaconPayload.beaconId(payload));
    }

    static BeaconReport beacon() {
        return new BeaconReport("beacon-proof", device("beaconer", beaconerCell()), beaconBody("beaconer"), BEACON_RX);
    }

    static CoverageWitness witnessBody(BeaconReport b, int rssi, long freq) {
        return new CoverageWitness(b.deviceId(), b.beacon().id(), b.beacon().payload(), rssi, 55, freq, 0);
    }

    /** A witness that passes every check: {@code meters} away on {@code bearing}, -120 dBm, received {@code lagMs} after the beacon. */
    static WitnessReport witness(String id, double meters, double bearing, long lagMs) {
        BeaconReport b = beacon();
        return new WitnessReport("w-" + id, device(id, cellFrom(meters, bearing)), witnessBody(b, -1200, FREQ),
                BEACON_RX.plusMillis(lagMs));
    }

    static WitnessReport withBody(WitnessReport w, CoverageWitness body) {
        return new WitnessReport(w.proofId(), w.device(), body, w.receivedAt());
    }

    static WitnessReport withDevice(WitnessReport w, DeviceRecord device) {
        return new WitnessReport(w.proofId(), device, w.witness(), w.receivedAt());
    }

    /** Everyone beaconed and witnessed an hour before. */
    static final class History implements ReciprocityHistory {
        final Map<String, Instant> witnessed = new HashMap<>();
        final Map<String, Instant> beaconed = new HashMap<>();
        Instant everyone = BEACON_RX.minus(Duration.ofHours(1));

        @Override
        public Optional<Instant> lastWitnessed(String deviceId) {
            return Optional.ofNullable(witnessed.getOrDefault(deviceId, everyone));
        }

        @Override
        public Optional<Instant> lastBeaconed(String deviceId) {
            return Optional.ofNullable(beaconed.getOrDefault(deviceId, everyone));
        }
    }

    static CoverageWindow window(CoverageConfig config, ReciprocityHistory history) {
        return new CoverageWindow(config, LOOKUP, RegionResolver.single("US915"), history, CoverageDenylist.NONE, AntennaGains.ZERO);
    }
}
