package dev.flywheel.claims;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flywheel.core.crypto.DeviceSigningKey;
import dev.flywheel.core.crypto.Encoding;
import dev.flywheel.core.crypto.SignatureScheme;
import dev.flywheel.core.epoch.EmissionSchedule;
import dev.flywheel.core.epoch.EpochClock;
import dev.flywheel.core.epoch.EpochCloser;
import dev.flywheel.core.epoch.EpochManifest;
import dev.flywheel.core.epoch.EpochSettler;
import dev.flywheel.core.epoch.RootPublication;
import dev.flywheel.core.merkle.CumulativeMerkleTree;
import dev.flywheel.core.merkle.LeafDomain;
import dev.flywheel.core.merkle.RewardLeaf;
import dev.flywheel.core.proof.ProofCodec;
import dev.flywheel.core.proof.SensorReading;
import dev.flywheel.core.verify.DeviceRecord;
import dev.flywheel.core.verify.DeviceStatus;
import dev.flywheel.core.verify.InboundProof;
import dev.flywheel.core.verify.PlausibilityChecks;
import dev.flywheel.core.verify.ProofVerifier;
import dev.flywheel.core.verify.Verdict;
import dev.flywheel.core.verify.VerdictLedger;
import dev.flywheel.core.verify.VerificationPolicy;
import dev.flywheel.dynamodb.DynamoEpochLedger;
import dev.flywheel.dynamodb.DynamoProofLedger;
import dev.flywheel.dynamodb.DynamoSettlementAlarms;
import dev.flywheel.dynamodb.TableNames;
import dev.flywheel.testing.MotoDynamo;
import io.micronaut.context.ApplicationContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ClaimsApiHandler as the local function host builds it, against a real moto_server. Rewards come
 * from real recorded proofs, the core EpochCloser and an EpochSettler with a recording publication.
 * One scenario end to end, because the epoch cursor is shared state of the class's tables.
 */
class ClaimsApiHandlerIT {
    private static final String GENESIS = "2026-01-01T00:00:00Z";
    private static final EpochClock CLOCK = new EpochClock(Instant.parse(GENESIS), Duration.ofSeconds(60));
    private static final BigInteger EMISSION = new BigInteger("5000000000000000000001");
    private static final LeafDomain DOMAIN = new LeafDomain(80002, "0x5fbdb2315678afecb367f032d93f642f64180aa3");
    private static final String ALICE = "0x00000000000000000000000000000000000a11ce";
    private static final String ALICE_MIXED_CASE = "0x00000000000000000000000000000000000A11cE";
    private static final String BOB = "0x0000000000000000000000000000000000000b0b";
    private static final String NOBODY = "0x000000000000000000000000000000000000dead";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ObjectMapper JSON = new ObjectMapper();

    private static DynamoDbClient dynamo;
    private static TableNames tables;
    private static ClaimsApiHandler handler;
    private static DynamoProofLedger proofs;
    private static DynamoEpochLedger epochs;

    private final Map<String, DeviceRecord> directory = new HashMap<>();
    private final Map<String, DeviceSigningKey> keys = new HashMap<>();
    private final ProofVerifier verifier = new ProofVerifier(id -> Optional.ofNullable(directory.get(id)), id -> false,
            VerificationPolicy.defaults(), PlausibilityChecks.defaults());
    private final List<Long> published = new ArrayList<>();

    @BeforeAll
    static void start() {
        dynamo = MotoDynamo.client();
        tables = MotoDynamo.createTables(dynamo);
        handler = new ClaimsApiHandler(ApplicationContext.builder().properties(Map.of(
                "flywheel.devices.table", tables.devices(),
                "flywheel.ledger.table", tables.ledger(),
                "flywheel.epochs.table", tables.epochs(),
                "flywheel.rewards.table", tables.rewards(),
                "flywheel.settlements.table", tables.settlements(),
                "flywheel.epoch.genesis", GENESIS,
                "flywheel.epoch.seconds", "60")));
        proofs = new DynamoProofLedger(dynamo, tables, CLOCK, Duration.ofDays(1));
        epochs = new DynamoEpochLedger(dynamo, tables, proofs);
    }

    @AfterAll
    static void stop() throws Exception {
        if (handler != null) {
            handler.close();
        }
        MotoDynamo.deleteTables(dynamo, tables);
        if (dynamo != null) {
            dynamo.close();
        }
    }

    private static APIGatewayV2HTTPResponse get(String address) {
        APIGatewayV2HTTPEvent request = new APIGatewayV2HTTPEvent();
        request.setRawPath("/claims/" + address);
        request.setRouteKey("GET /claims/{address}");
        if (address != null) {
            request.setPathParameters(Map.of("address", address));
        }
        return handler.handleRequest(request, null);
    }

    private static JsonNode body(APIGatewayV2HTTPResponse response) throws Exception {
        assertEquals("application/json", response.getHeaders().get("content-type"));
        return JSON.readTree(response.getBody());
    }

    private void device(String id, String owner) {
        DeviceSigningKey key = DeviceSigningKey.generate(SignatureScheme.P256_SHA256, RANDOM);
        keys.put(id, key);
        directory.put(id, new DeviceRecord(id, SignatureScheme.P256_SHA256, key.publicKey(), owner, DeviceStatus.ACTIVE, null));
    }

    private void work(String deviceId, long epoch, int count, long firstSeq) {
        for (int i = 0; i < count; i++) {
            long seq = firstSeq + i;
            Instant received = CLOCK.start(epoch).plusSeconds(1 + i);
            byte[] payload = ProofCodec.encode(deviceId, seq, received.minusMillis(50), null,
                    new SensorReading("temperature", 4.5, "celsius"), keys.get(deviceId));
            InboundProof in = new InboundProof(deviceId + "#" + seq, deviceId, received, payload);
            Verdict v = verifier.verify(in);
            assertInstanceOf(Verdict.Accepted.class, v);
            assertEquals(VerdictLedger.Outcome.RECORDED, proofs.record(in, v).outcome());
        }
    }

    private List<EpochManifest> closeThrough(long epoch) {
        Clock wall = Clock.fixed(CLOCK.end(epoch).plusSeconds(1), ZoneOffset.UTC);
        return new EpochCloser(epochs, CLOCK, EmissionSchedule.constant(EMISSION), Duration.ZERO, wall, DOMAIN).closeDue(10);
    }

    private EpochSettler settler() {
        return new EpochSettler(epochs, (epoch, root, total, manifestHash) -> {
            published.add(epoch);
            return new RootPublication.Published(String.format("0x%064x", 0x5e771e00L + epoch));
        }, CLOCK, new DynamoSettlementAlarms(dynamo, tables.settlements()));
    }

    private static void assertClaim(JsonNode claim, String owner, long epoch, BigInteger cumulative) {
        assertEquals(owner, claim.get("account").asText());
        assertEquals(epoch, claim.get("epoch").asLong());
        assertEquals(cumulative.toString(), claim.get("cumulativeAmount").asText(),
                "cumulativeAmount is a decimal string (uint256 does not fit a JSON number)");
        assertTrue(claim.get("cumulativeAmount").isTextual());
        EpochManifest manifest = epochs.manifest(epoch).orElseThrow();
        assertEquals(manifest.rootHex(), claim.get("root").asText());
        assertEquals(String.format("0x%064x", 0x5e771e00L + epoch), claim.get("rootTx").asText());
        List<byte[]> proof = new ArrayList<>();
        claim.get("proof").forEach(p -> proof.add(Encoding.fromHex(p.asText())));
        byte[] root = Encoding.fromHex(claim.get("root").asText());
        assertTrue(CumulativeMerkleTree.verify(DOMAIN, root, new RewardLeaf(owner, cumulative), proof),
                "the served proof verifies the served amount against the settled root");
        assertTrue(!CumulativeMerkleTree.verify(DOMAIN, root, new RewardLeaf(owner, cumulative.add(BigInteger.ONE)), proof));
    }

    @Test
    void badAddressesNothingBeforeSettlementThenVerifyingClaims() throws Exception {
        // 400: not an address.
        for (String bad : new String[] {"0x123", "not-an-address", "0x" + "g".repeat(40), ALICE + "00", ""}) {
            APIGatewayV2HTTPResponse r = get(bad);
            assertEquals(400, r.getStatusCode(), bad);
            assertEquals("invalid_address", body(r).get("error").asText());
        }
        assertEquals(400, get(null).getStatusCode(), "no path parameter at all");

        // 404: nothing settled yet.
        assertEquals(404, get(ALICE).getStatusCode());
        assertEquals("nothing_to_claim", body(get(ALICE)).get("error").asText());

        device("claims-alice-1", ALICE);
        device("claims-alice-2", ALICE);
        device("claims-bob-1", BOB);
        work("claims-alice-1", 0, 2, 1);
        work("claims-alice-2", 0, 1, 1);
        work("claims-bob-1", 0, 3, 1);

        // Closed is not enough: the claim must be against a root that is on chain.
        List<EpochManifest> closed = closeThrough(0);
        assertEquals(1, closed.size());
        assertEquals(404, get(ALICE).getStatusCode(), "closed but not settled");

        assertEquals(0, settler().settleLatest().orElseThrow().epoch());
        assertEquals(List.of(0L), published);

        BigInteger aliceShare = EMISSION.multiply(BigInteger.TWO).divide(BigInteger.valueOf(6))
                .add(EMISSION.divide(BigInteger.valueOf(6)));
        BigInteger bobShare = EMISSION.multiply(BigInteger.valueOf(3)).divide(BigInteger.valueOf(6));

        APIGatewayV2HTTPResponse ok = get(ALICE_MIXED_CASE);
        assertEquals(200, ok.getStatusCode(), ok.getBody());
        JsonNode claim = body(ok);
        assertClaim(claim, ALICE, 0, aliceShare);
        Map<String, String> shares = new HashMap<>();
        claim.get("epochRewards").forEach(r -> shares.put(r.get("deviceId").asText(), r.get("amount").asText()));
        assertEquals(Map.of(
                "claims-alice-1", EMISSION.multiply(BigInteger.TWO).divide(BigInteger.valueOf(6)).toString(),
                "claims-alice-2", EMISSION.divide(BigInteger.valueOf(6)).toString()), shares,
                "the epoch's per-device shares add up to what the wallet sees");
        assertClaim(body(get(BOB)), BOB, 0, bobShare);
        assertEquals(404, get(NOBODY).getStatusCode());

        // Epoch 1: only bob works. Alice's lifetime total is carried into the new root.
        work("claims-bob-1", 1, 1, 4);
        closeThrough(1);
        assertEquals(0, body(get(ALICE)).get("epoch").asLong(), "until epoch 1 settles, claims use root 0");
        assertEquals(1, settler().settleLatest().orElseThrow().epoch());
        JsonNode aliceLater = body(get(ALICE));
        assertClaim(aliceLater, ALICE, 1, aliceShare);
        assertEquals(0, aliceLater.get("epochRewards").size(), "alice earned nothing in epoch 1");
        JsonNode bobLater = body(get(BOB));
        assertClaim(bobLater, BOB, 1, bobShare.add(EMISSION));
        assertEquals(1, bobLater.get("epochRewards").size());
        assertEquals(EMISSION.toString(), bobLater.get("epochRewards").get(0).get("amount").asText());
        assertEquals(List.of(0L, 1L), published);
    }
}
