package dev.flywheel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flywheel.core.crypto.DeviceSigningKey;
import dev.flywheel.core.crypto.SignatureScheme;
import dev.flywheel.core.epoch.DeviceLocations;
import dev.flywheel.core.epoch.EpochClock;
import dev.flywheel.core.epoch.EpochCloser;
import dev.flywheel.core.epoch.EpochManifest;
import dev.flywheel.core.epoch.ManifestDocument;
import dev.flywheel.core.network.NetworkConfig;
import dev.flywheel.core.network.NetworkConfigLoader;
import dev.flywheel.core.proof.ProofCodec;
import dev.flywheel.core.types.sensor.SensorReading;
import dev.flywheel.core.proof.DeviceRecord;
import dev.flywheel.core.proof.DeviceStatus;
import dev.flywheel.core.verify.InboundProof;
import dev.flywheel.core.proof.PlausibilityChecks;
import dev.flywheel.core.verify.ProofVerifier;
import dev.flywheel.core.verify.Verdict;
import dev.flywheel.core.verify.VerificationPolicy;
import dev.flywheel.dynamodb.DynamoEpochWork;
import dev.flywheel.dynamodb.DynamoDeviceRegistry;
import dev.flywheel.dynamodb.DynamoEpochLedger;
import dev.flywheel.dynamodb.DynamoProofLedger;
import dev.flywheel.dynamodb.TableNames;
import dev.flywheel.testing.MotoTables;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import dev.flywheel.core.merkle.LeafDomain;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code flywheel epoch show/recompute} against moto: verified proofs recorded by the real proof ledger,
 * an epoch closed under the packaged config/network.json, then recomputed from the stored credits (no
 * difference), then one device's stored work snapshot ({@code P#<device> / W#<epoch>}) altered by hand (the difference named by device).
 */
class EpochRecomputeIT {
    @RegisterExtension
    static final MotoTables MOTO = new MotoTables();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final EpochClock CLOCK = new EpochClock(Instant.parse("2026-01-01T00:00:00Z"), Duration.ofSeconds(60));
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final LeafDomain DOMAIN = new LeafDomain(80002, "0x00000000000000000000000000000000000000d1");
    private static DynamoDbClient dynamo;
    private static TableNames tables;

    @BeforeAll
    static void start() {
        dynamo = MOTO.dynamo();
        tables = MOTO.tables();
    }

    private record Run(int code, String out, String err) {
    }

    private static Run cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = FlywheelCli.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    private static void prove(DynamoProofLedger ledger, String device, String owner, int count) {
        DeviceSigningKey key = DeviceSigningKey.generate(SignatureScheme.ED25519, RANDOM);
        DeviceRecord record = new DeviceRecord(device, SignatureScheme.ED25519, key.publicKey(), owner, DeviceStatus.ACTIVE, null);
        ProofVerifier verifier = new ProofVerifier(id -> Optional.of(record).filter(r -> r.deviceId().equals(id)), id -> false,
                VerificationPolicy.defaults(), PlausibilityChecks.defaults());
        for (int seq = 1; seq <= count; seq++) {
            Instant received = CLOCK.start(0).plusMillis(700L * seq);
            byte[] payload = ProofCodec.encode(device, seq, received.minusMillis(100), null, new SensorReading("pm25", 9.0, "ugm3"), key);
            Verdict v = verifier.verify(new InboundProof(device + "-" + seq, device, received, payload));
            ledger.record(new InboundProof(device + "-" + seq, device, received, payload), v);
        }
    }

    @Test
    void recomputeMatchesTheClosedEpochThenNamesAHandAlteredCredit() throws Exception {
        DynamoProofLedger proofs = new DynamoProofLedger(dynamo, tables, CLOCK, Duration.ofDays(1));
        prove(proofs, "rc-a", "0x00000000000000000000000000000000000000aa", 3);
        prove(proofs, "rc-b", "0x00000000000000000000000000000000000000bb", 2);
        prove(proofs, "rc-c", "0x00000000000000000000000000000000000000aa", 1);
        NetworkConfig network = NetworkConfigLoader.packaged().withEpochs(CLOCK.genesis(), CLOCK.length()).withLateDataGate(Duration.ZERO);
        var ledger = new DynamoEpochLedger(dynamo, tables);
        List<EpochManifest> closed = new EpochCloser(ledger, new DynamoEpochWork(dynamo, tables),
                DeviceLocations.from(new DynamoDeviceRegistry(dynamo, tables.devices())), network,
                Clock.fixed(CLOCK.end(0), ZoneOffset.UTC), 2, DOMAIN).closeDue(1);
        assertEquals(1, closed.size());
        String stack = tables.ledger().substring(0, tables.ledger().length() - "-proof-ledger".length());

        Run show = cli("epoch", "show", "0", "--stack", stack);
        assertEquals(0, show.code(), show.err());
        byte[] shown = show.out().strip().getBytes(StandardCharsets.UTF_8);
        assertEquals(closed.getFirst().manifestHash(), ManifestDocument.hash(shown), "show prints the hashed document");
        assertEquals("v1", JSON.readTree(shown).get("configVersion").asText());

        Run same = cli("epoch", "recompute", "0", "--stack", stack, "--chain-id", "80002", "--distributor", DOMAIN.distributor());
        assertEquals(0, same.code(), same.out() + same.err());
        JsonNode r = JSON.readTree(same.out());
        assertTrue(r.get("matches").asBoolean());
        assertEquals(0, r.get("differences").size());
        assertEquals(3, r.get("devices").asInt());
        assertEquals(closed.getFirst().manifestHash(), r.get("storedHash").asText());
        assertTrue(same.err().contains("2/2 segments"), "a progress bar on stderr: " + same.err());

        // rc-b's harvested work for epoch 0 (its snapshot P#rc-b / W#0) altered by hand: 2 units become 6.
        Map<String, AttributeValue> key = Map.of("pk", AttributeValue.fromS("P#rc-b"), "sk", AttributeValue.fromS("W#0"));
        Map<String, AttributeValue> snapshot = dynamo.getItem(g -> g.tableName(tables.ledger()).key(key).consistentRead(true)).item();
        assertEquals(1, snapshot.get("units").m().size(), "one pool: " + snapshot);
        Map<String, AttributeValue> units = new HashMap<>();
        snapshot.get("units").m().forEach((pool, u) -> units.put(pool, AttributeValue.fromN(Long.toString(Long.parseLong(u.n()) + 4))));
        Map<String, AttributeValue> altered = new HashMap<>(snapshot);
        altered.put("units", AttributeValue.fromM(units));
        dynamo.putItem(p -> p.tableName(tables.ledger()).item(altered));

        Run differs = cli("epoch", "recompute", "0", "--stack", stack, "--chain-id", "80002", "--distributor", DOMAIN.distributor(), "--no-progress");
        assertEquals(EpochCommands.DIFFERS, differs.code(), differs.out() + differs.err());
        JsonNode d = JSON.readTree(differs.out());
        assertTrue(!d.get("matches").asBoolean());
        String lines = d.get("differences").toString();
        assertTrue(lines.contains("allocations[device=rc-b].units: stored \\\"2\\\", recomputed \\\"6\\\""), lines);
        assertTrue(lines.contains("allocations[device=rc-a].amount"), "the others' shares move too: " + lines);
        assertTrue(lines.contains("pools[0].units: stored \\\"6\\\", recomputed \\\"10\\\""), lines);
    }
}
