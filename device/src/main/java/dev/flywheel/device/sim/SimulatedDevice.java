package dev.flywheel.device.sim;

import dev.flywheel.core.crypto.DeviceSigningKey;
import dev.flywheel.core.proof.ProofCodec;
import dev.flywheel.core.types.sensor.SensorReading;
import dev.flywheel.device.mqtt.Topics;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * One provisioned simulated device: what the devnet registers (thing, certificate, signing public
 * key, owner, location) and what the simulator needs to act it out.
 *
 * @param signingKey the registered proof-signing key (its public key goes into the device registry)
 * @param rogueKey   FORGER only: the unregistered key it actually signs with; null for other roles
 * @param certPath   PEM client certificate (CN = deviceId) issued by the devnet CA
 * @param keyPath    PEM TLS private key of that certificate
 * @param ownerAddress EVM address (0x + 40 hex) that receives this device's rewards
 * @param h3Cell     registered location, 15 lower-case hex digits
 * @param targetDeviceId WRONG_TOPIC only: the device whose proofs topic it publishes on; null for other roles
 */
public record SimulatedDevice(String deviceId, DeviceRole role, DeviceSigningKey signingKey,
                              DeviceSigningKey rogueKey, Path certPath, Path keyPath, String ownerAddress,
                              String h3Cell, String targetDeviceId) {

    /** The temperature an OUT_OF_RANGE device reports, far above any plausible reading (max 65). */
    public static final double OUT_OF_RANGE_CELSIUS = 150.0;
    /** How far a CLOCK_SKEW device's clock runs ahead: ten times the verifier's 30 s tolerance. */
    public static final Duration CLOCK_SKEW_AHEAD = Duration.ofMinutes(5);
    /**
     * Where a TELEPORTER claims to be: San Francisco (res-9 cell {@code 8928308280fffff}, base cell 20), about
     * 4,100 km from the fleet's default anchor in New York ({@link H3Cells#DEFAULT_ANCHOR}, base cell 21).
     */
    public static final String TELEPORT_ANCHOR = "8928308280fffff";

    /** Every role but WRONG_TOPIC, which needs a target. */
    public SimulatedDevice(String deviceId, DeviceRole role, DeviceSigningKey signingKey, DeviceSigningKey rogueKey,
                           Path certPath, Path keyPath, String ownerAddress, String h3Cell) {
        this(deviceId, role, signingKey, rogueKey, certPath, keyPath, ownerAddress, h3Cell, null);
    }

    public SimulatedDevice {
        Objects.requireNonNull(deviceId, "deviceId");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(signingKey, "signingKey");
        if (role == DeviceRole.FORGER && rogueKey == null) {
            throw new IllegalArgumentException("a FORGER needs a rogue key");
        }
        if (role != DeviceRole.FORGER && rogueKey != null) {
            throw new IllegalArgumentException("only a FORGER has a rogue key");
        }
        if (role == DeviceRole.WRONG_TOPIC && (targetDeviceId == null || targetDeviceId.equals(deviceId))) {
            throw new IllegalArgumentException("a WRONG_TOPIC device needs another device's id to publish as");
        }
        if (role != DeviceRole.WRONG_TOPIC && targetDeviceId != null) {
            throw new IllegalArgumentException("only a WRONG_TOPIC device has a target device");
        }
    }

    /** The topic this device publishes its proofs on: its own proofs topic, except for WRONG_TOPIC. */
    public String proofTopic() {
        return Topics.proofs(role == DeviceRole.WRONG_TOPIC ? targetDeviceId : deviceId);
    }

    /**
     * Whether the broker lets this device's proofs through to the backend, so each acknowledged message
     * should get a verdict and a receipt. False for WRONG_TOPIC: the per-device ACL drops them.
     */
    public boolean delivered() {
        return role != DeviceRole.WRONG_TOPIC;
    }

    /**
     * The cell its proofs claim ({@code loc.h3}): the registered {@link #h3Cell()}, except for a TELEPORTER,
     * which claims a cell of the same resolution near {@link #TELEPORT_ANCHOR} (the same one every time).
     */
    public String assertedCell() {
        if (role != DeviceRole.TELEPORTER) {
            return h3Cell;
        }
        int resolution = h3Cell == null ? 10 : Math.max(8, Math.min(12, H3Cells.resolutionOf(h3Cell)));
        return H3Cells.near(TELEPORT_ANCHOR, resolution, new SplittableRandom(deviceId.hashCode()));
    }

    /** The key this device's proofs are actually signed with. */
    public DeviceSigningKey proofKey() {
        return role == DeviceRole.FORGER ? rogueKey : signingKey;
    }

    /** Number of MQTT messages a run with {@code proofsPerDevice} publishes for this device. */
    public int messagesFor(int proofsPerDevice) {
        return role == DeviceRole.REPLAYER ? Math.max(2, proofsPerDevice) : proofsPerDevice;
    }

    /**
     * The payloads this device publishes, in order, built now (device time = {@code clock.instant()}, or
     * 5 minutes later for CLOCK_SKEW). Every role but REPLAYER: {@code count} proofs with seq {@code firstSeq, firstSeq+1, ...}.
     * REPLAYER: one honest proof with seq {@code firstSeq}, then the exact same bytes again, for
     * {@code max(2, count)} messages in total.
     */
    public List<byte[]> proofPayloads(int count, long firstSeq, Clock clock) {
        if (count < 1) {
            throw new IllegalArgumentException("count must be >= 1");
        }
        List<byte[]> out = new ArrayList<>(count);
        if (role == DeviceRole.REPLAYER) {
            byte[] original = proof(firstSeq, clock);
            for (int i = 0; i < messagesFor(count); i++) {
                out.add(original); // identical bytes: same proof id, same signature
            }
            return out;
        }
        for (int i = 0; i < count; i++) {
            out.add(proof(firstSeq + i, clock));
        }
        return out;
    }

    /** One signed proof with sequence number {@code seq}, per this device's role. */
    public byte[] proof(long seq, Clock clock) {
        SensorReading reading = role == DeviceRole.OUT_OF_RANGE
                ? new SensorReading("temperature", OUT_OF_RANGE_CELSIUS, "celsius")
                : plausibleReading(seq);
        var time = role == DeviceRole.CLOCK_SKEW ? clock.instant().plus(CLOCK_SKEW_AHEAD) : clock.instant();
        return ProofCodec.encode(deviceId, seq, time, assertedCell(), reading, proofKey());
    }

    /** A plausible reading; the metric rotates with seq, the value is deterministic per (device, seq). */
    SensorReading plausibleReading(long seq) {
        SplittableRandom r = new SplittableRandom(deviceId.hashCode() * 31L + seq);
        return switch ((int) Math.floorMod(seq, 4L)) {
            case 0 -> new SensorReading("temperature", round1(5 + r.nextDouble() * 25), "celsius");
            case 1 -> new SensorReading("humidity", round1(30 + r.nextDouble() * 60), "percent");
            case 2 -> new SensorReading("pressure", round1(990 + r.nextDouble() * 40), "hpa");
            default -> new SensorReading("pm25", round1(2 + r.nextDouble() * 38), "ugm3");
        };
    }

    private static double round1(double v) {
        return Math.round(v * 10) / 10.0;
    }
}
