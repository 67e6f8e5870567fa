package dev.flywheel.benchmarks;

import dev.flywheel.core.crypto.DeviceSigningKey;
import dev.flywheel.core.crypto.SignatureScheme;
import dev.flywheel.core.proof.ProofCodec;
import dev.flywheel.core.proof.ProofEnvelope;
import dev.flywheel.core.types.sensor.SensorReading;
import dev.flywheel.core.verify.DeviceDirectory;
import dev.flywheel.core.proof.DeviceRecord;
import dev.flywheel.core.proof.DeviceStatus;
import dev.flywheel.core.verify.InboundProof;
import dev.flywheel.core.proof.PlausibilityChecks;
import dev.flywheel.core.verify.ProofVerifier;
import dev.flywheel.core.verify.Verdict;
import dev.flywheel.core.verify.VerificationPolicy;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The verification pipeline against the signature check it contains, in the same run.
 *
 * <ul>
 *   <li>{@code <scheme>RawVerify}: {@link SignatureScheme#verify} over the precomputed canonical bytes: the
 *       floor no verifier can beat.</li>
 *   <li>{@code <scheme>Pipeline}: {@link ProofVerifier#verify(InboundProof)} from the raw wire bytes: strict
 *       parse, schema, RFC 8785 canonicalization, proof id (SHA-256), identity/denylist/registry lookup, time
 *       window, signature, plausibility.</li>
 * </ul>
 *
 * <p>Methods are named scheme first so JMH (which runs benchmarks in name order) measures each pair
 * back to back: on a shared machine the two figures of a ratio then see the same background load.
 *
 * <p>Target (verification issue): pipeline &gt;= 0.8x raw verify for Ed25519 on one core.
 * {@code scripts/bench} prints both figures and the ratio per scheme. ECDSA code paths are large and
 * take ~10 s of C2 compilation to reach steady state, hence the warmup.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
public class VerificationBenchmark {

    static final String DEVICE_ID = "ws-berlin-0042";
    static final String OWNER = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";
    static final String H3 = "8b2a100d2d1bfff";
    static final Instant DEVICE_TIME = Instant.parse("2025-11-25T12:00:00.250Z");
    /** The server receives it 1.2 s after the device stamped it: inside the policy window. */
    static final Instant RECEIVED_AT = DEVICE_TIME.plusMillis(1_200);
    static final SensorReading READING = new SensorReading("temperature", 21.5, "celsius");

    /** One signed sensor.reading proof, its registered device and a verifier that accepts it. */
    public abstract static class Fixture {
        SignatureScheme scheme;
        /** The wire payload, as the IoT rule hands it to the verifier. */
        byte[] wire;
        /** What the device signed: canonical envelope without {@code sig}. */
        byte[] signedBytes;
        byte[] signature;
        byte[] publicKey;
        InboundProof inbound;
        ProofVerifier verifier;

        void init(SignatureScheme scheme) throws Exception {
            this.scheme = scheme;
            DeviceSigningKey key = fixedKey(scheme);
            publicKey = key.publicKey();
            wire = ProofCodec.encode(DEVICE_ID, 1_337, DEVICE_TIME, H3, READING, key);
            ProofEnvelope decoded = ProofCodec.decode(wire);
            signedBytes = decoded.signedBytes();
            signature = decoded.signature();

            Map<String, DeviceRecord> registry = Map.of(DEVICE_ID,
                    new DeviceRecord(DEVICE_ID, scheme, publicKey, OWNER, DeviceStatus.ACTIVE, H3));
            DeviceDirectory directory = id -> Optional.ofNullable(registry.get(id));
            Set<String> denylist = Set.of("ws-banned-0001", "ws-banned-0002");
            verifier = new ProofVerifier(directory, denylist::contains, VerificationPolicy.defaults(),
                    PlausibilityChecks.defaults());
            inbound = new InboundProof("sqs-msg-0001", DEVICE_ID, RECEIVED_AT, wire);

            // Both sides must do the real, successful work, or the comparison means nothing.
            if (!scheme.verify(publicKey, signedBytes, signature)) {
                throw new IllegalStateException(scheme + ": raw verify rejects the fixture");
            }
            Verdict verdict = verifier.verify(inbound);
            if (!(verdict instanceof Verdict.Accepted)) {
                throw new IllegalStateException(scheme + ": pipeline rejects the fixture: " + verdict);
            }
        }

        boolean rawVerify() {
            return scheme.verify(publicKey, signedBytes, signature);
        }

        Verdict pipeline() {
            return verifier.verify(inbound);
        }
    }

    @State(Scope.Benchmark)
    public static class Ed25519 extends Fixture {
        @Setup(Level.Trial)
        public void setUp() throws Exception {
            init(SignatureScheme.ED25519);
        }
    }

    @State(Scope.Benchmark)
    public static class P256 extends Fixture {
        @Setup(Level.Trial)
        public void setUp() throws Exception {
            init(SignatureScheme.P256_SHA256);
        }
    }

    @State(Scope.Benchmark)
    public static class Secp256k1 extends Fixture {
        @Setup(Level.Trial)
        public void setUp() throws Exception {
            init(SignatureScheme.SECP256K1_KECCAK256);
        }
    }

    /** Deterministic per-scheme key: a fixed 32-byte private key (valid scalar for both curves). */
    static DeviceSigningKey fixedKey(SignatureScheme scheme) {
        byte[] sk = new byte[32];
        for (int i = 0; i < sk.length; i++) {
            sk[i] = (byte) (0x11 + i * 7 + scheme.ordinal());
        }
        sk[0] = 0x1f; // well below the P-256 and secp256k1 group orders
        return DeviceSigningKey.fromPrivateKey(scheme, sk);
    }

    @Benchmark
    public void ed25519RawVerify(Ed25519 f, Blackhole bh) {
        bh.consume(f.rawVerify());
    }

    @Benchmark
    public void ed25519Pipeline(Ed25519 f, Blackhole bh) {
        bh.consume(f.pipeline());
    }

    @Benchmark
    public void p256RawVerify(P256 f, Blackhole bh) {
        bh.consume(f.rawVerify());
    }

    @Benchmark
    public void p256Pipeline(P256 f, Blackhole bh) {
        bh.consume(f.pipeline());
    }

    @Benchmark
    public void secp256k1RawVerify(Secp256k1 f, Blackhole bh) {
        bh.consume(f.rawVerify());
    }

    @Benchmark
    public void secp256k1Pipeline(Secp256k1 f, Blackhole bh) {
        bh.consume(f.pipeline());
    }
}
