// Rebuilds the valid proof in sqs-batch.json (Ed25519 is deterministic: same bytes every run).
//   export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64; mvn -q -o -pl core compile
//   mvn -q -o -pl core dependency:build-classpath -Dmdep.outputFile=/tmp/corecp.txt -Dmdep.includeScope=compile
//   $JAVA_HOME/bin/jshell --class-path "core/target/classes:$(cat /tmp/corecp.txt)" events/proof-verifier/make-proof.jsh
import dev.flywheel.core.proof.*;
import dev.flywheel.core.crypto.*;
import java.time.Instant;

byte[] sk = new byte[32];
for (int i = 0; i < 32; i++) sk[i] = (byte) (i + 1);   // 0x01 0x02 ... 0x20: a published TEST key
var key = DeviceSigningKey.fromPrivateKey(SignatureScheme.ED25519, sk);
byte[] wire = ProofCodec.encode("dev-0001", 1, Instant.parse("2026-11-25T12:00:00Z"), "8c2a1072b59ffff",
        new SensorReading("temperature", 21.5, "celsius"), key);
System.out.println("wire      " + new String(wire, java.nio.charset.StandardCharsets.UTF_8));
System.out.println("base64    " + java.util.Base64.getEncoder().encodeToString(wire));
System.out.println("publicKey " + Encoding.hex(key.publicKey()) + " (hex), " + Encoding.base64Url(key.publicKey()) + " (base64url)");
System.out.println("proofId   " + ProofCodec.decode(wire).proofId());
/exit
