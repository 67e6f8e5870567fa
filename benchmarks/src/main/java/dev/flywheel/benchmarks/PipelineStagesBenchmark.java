package dev.flywheel.benchmarks;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.core.crypto.Encoding;
import dev.flywheel.core.crypto.SignatureScheme;
import dev.flywheel.core.json.CanonicalJson;
import dev.flywheel.core.proof.ProofCodec;
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

import java.util.concurrent.TimeUnit;

/**
 * The non-cryptographic stages of {@link VerificationBenchmark#pipeline}, one at a time, so a slow
 * pipeline can be attributed: {@code scripts/bench --stages}. Average time per operation (us/op).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class PipelineStagesBenchmark {

    byte[] wire;
    ObjectNode tree;
    byte[] signedBytes;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        wire = ProofCodec.encode(VerificationBenchmark.DEVICE_ID, 1_337, VerificationBenchmark.DEVICE_TIME,
                VerificationBenchmark.H3, VerificationBenchmark.READING,
                VerificationBenchmark.fixedKey(SignatureScheme.ED25519));
        tree = CanonicalJson.parseObject(wire);
        signedBytes = CanonicalJson.canonicalizeWithout(tree, "sig");
    }

    /** Strict Jackson parse of the wire bytes into a tree (duplicate detection, limits). */
    @Benchmark
    public void parse(Blackhole bh) throws Exception {
        bh.consume(CanonicalJson.parseObject(wire));
    }

    /** RFC 8785 serialization of the parsed tree without {@code sig}. */
    @Benchmark
    public void canonicalize(Blackhole bh) throws Exception {
        bh.consume(CanonicalJson.canonicalizeWithout(tree, "sig"));
    }

    /** The proof id: hex SHA-256 of the signed bytes. */
    @Benchmark
    public void proofId(Blackhole bh) {
        bh.consume(Encoding.hex(Encoding.sha256(signedBytes)));
    }

    /** All of ProofCodec.decode: parse, schema checks, body, base64url, canonicalize, proof id. */
    @Benchmark
    public void decode(Blackhole bh) throws Exception {
        bh.consume(ProofCodec.decode(wire));
    }
}
