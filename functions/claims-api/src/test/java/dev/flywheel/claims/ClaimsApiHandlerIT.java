package dev.flywheel.claims;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flywheel.core.crypto.DeviceSigningKey;
import dev.flywheel.core.crypto.Encoding;
import dev.flywheel.core.crypto.SignatureScheme;
import dev.flywheel.core.epoch.DeviceLocations;
import dev.flywheel.core.network.NetworkConfig;
import dev.flywheel.dynamodb.DynamoEpochWork;
import dev.flywheel.core.epoch.EpochCloser;
import dev.flywheel.core.epoch.EpochManifest;
import dev.flywheel.core.epoch.EpochSettler;
import dev.flywheel.core.epoch.RootPublication;
import dev.flywheel.core.merkle.CumulativeMerkleTree;
import dev.flywheel.core.merkle.LeafDomain;
import dev.flywheel.core.merkle.RewardLeaf;
import dev.flywheel.core.proof.ProofCodec;
import dev.flywheel.core.types.sensor.SensorReading;
import dev.flywheel.core.proof.DeviceRecord;
import dev.flywheel.core.proof.DeviceStatus;
import dev.flywheel.core.verify.InboundProof;
import dev.flywheel.core.proof.PlausibilityChecks;
import dev.flywheel.core.verify.ProofVerifier;
import dev.flywheel.core.verify.Verdict;
import dev.flywheel.core.verify.VerdictLedger;
import dev.flywheel.core.verify.VerificationPolicy;
import dev.flywheel.dynamodb.DynamoEpochLedger;
import dev.flywheel.dynamodb.DynamoProofLedger;
import dev.flywheel.dynamodb.DynamoSettlementAlarms;
import dev.flywheel.dynamodb.DynamoTransactionJournal;
import dev.flywheel.dynamodb.TableNames;
import dev.flywheel.chain.ChainConfig;
import dev.flywheel.chain.LocalKeyTransactionSigner;
import dev.flywheel.chain.RewardsClaimer;
import dev.flywheel.chain.RootPublisher;
import dev.flywheel.chain.SettlementReceipt;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;
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

import static dev.flywheel.claims.ClaimsApiStack.ALICE;
import static dev.flywheel.claims.ClaimsApiStack.BOB;
import static dev.flywheel.claims.ClaimsApiStack.CLOCK;
import static dev.flywheel.claims.ClaimsApiStack.NOBODY;
import static dev.flywheel.claims.ClaimsApiStack.PUBLISHER;
import static dev.flywheel.claims.ClaimsApiStack.RELAYER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The claims API against the real stand-ins: DynamoDB on moto, the distributor on Anvil, the RPC URL
 * in moto's Secrets Manager. One scenario end to end, because the epoch cursor is shared state of the
 * class's tables. The distributor has a 15 s activation delay (longer than the settler's wait for
 * finality), so the window can be observed and a claim sent in it is mined before it closes.
 */
class ClaimsApiHandlerIT {
    private static final BigInteger EMISSION = new BigInteger("5000000000000000000001");
    private static final String ALICE_MIXED_CASE = "0x00000000000000000000000000000000000A11cE";
    private static final Duration ACTIVATION_DELAY = Duration.ofSeconds(15);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ObjectMapper JSON = new ObjectMapper();

    private static DynamoDbClient dynamo;
    private static TableNames tables;
    private static ClaimsApiHandler handler;
    private static DynamoProofLedger proofs;
    private static DynamoEpochLedger epochs;
    private static ClaimsApiStack stack;
    private static Web3j web3j;
    private static ChainConfig chain;
    private static LeafDomain domain;

    private final Map<String, DeviceRecord> directory = new HashMap<>();
    private final Map<String, DeviceSigningKey> keys = new HashMap<>();
    private final ProofVerifier verifier = new ProofVerifier(id -> Optional.ofNullable(directory.get(id)), id -> false,
            VerificationPolicy.defaults(), PlausibilityChecks.defaults());
    private final List<Long> published = new ArrayList<>();

    @BeforeAll
    static void start() {
        stack = new ClaimsApiStack("claims-it", EMISSION, ACTIVATION_DELAY);
        web3j = stack.web3j;
        chain = stack.chain;
        domain = stack.domain;
        dynamo = stack.dynamo;
        tables = stack.tables;
        handler = stack.handler;
        proofs = stack.proofs;
        epochs = stack.epochs;
    }

    @AfterAll
    static void stop() throws Exception {
        if (stack != null) {
            stack.close();
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
        return new EpochCloser(epochs, new DynamoEpochWork(dynamo, tables), DeviceLocations.of(Map.of()),
                NetworkConfig.uniform(CLOCK, EMISSION, Duration.ZERO), wall, 1, domain).closeDue(10);
    }

    /** The real settler path: journal in DynamoDB, RootPublisher on Anvil. */
    private EpochSettler settler() {
        var journal = new DynamoTransactionJournal(dynamo, tables.settlements());
        return new EpochSettler(epochs, (epoch, root, total, manifestHash) -> {
            published.add(epoch);
            SettlementReceipt r = new RootPublisher(web3j, chain, journal, new LocalKeyTransactionSigner(PUBLISHER))
                    .publish(epoch, Encoding.fromHex(root), total, Encoding.fromHex(manifestHash));
            assertTrue(r.settled(), r.toString());
            return new RootPublication.Published(r.txHash());
        }, CLOCK, new DynamoSettlementAlarms(dynamo, tables.settlements()));
    }

    private static JsonNode ok(String address) throws Exception {
        APIGatewayV2HTTPResponse r = get(address);
        assertEquals(200, r.getStatusCode(), r.getBody());
        return body(r);
    }

    private static List<byte[]> proof(JsonNode node) {
        List<byte[]> proof = new ArrayList<>();
        node.get("proof").forEach(p -> proof.add(Encoding.fromHex(p.asText())));
        return proof;
    }

    private static void awaitActivation(RewardsClaimer claimer) throws InterruptedException {
        long deadline = System.nanoTime() + ACTIVATION_DELAY.plusSeconds(30).toNanos();
        while (claimer.state().hasPending() && System.nanoTime() < deadline) {
            Thread.sleep(250);
        }
        assertFalse(claimer.state().hasPending(), "the pending root did not activate");
        // A block after the activation time, so eth_call sees it.
        Thread.sleep(1_200);
    }

    /** Earned is the ledger's lifetime total, claimed is the chain's, claimable their difference, and the proof verifies. */
    private static void assertClaim(JsonNode claim, String owner, long epoch, BigInteger earned, BigInteger claimedOnChain) {
        assertEquals(owner, claim.get("account").asText());
        assertEquals(epoch, claim.get("epoch").asLong());
        assertTrue(claim.get("cumulativeAmount").isTextual(), "amounts are decimal strings (uint256 does not fit a JSON number)");
        assertEquals(earned.toString(), claim.get("cumulativeAmount").asText());
        assertEquals(claimedOnChain.toString(), claim.get("claimed").asText());
        assertEquals(earned.subtract(claimedOnChain).max(BigInteger.ZERO).toString(), claim.get("claimable").asText());
        assertEquals(epochs.manifest(epoch).orElseThrow().rootHex(), claim.get("root").asText());
        byte[] root = Encoding.fromHex(claim.get("root").asText());
        assertTrue(CumulativeMerkleTree.verify(domain, root, new RewardLeaf(owner, earned), proof(claim)));
        assertFalse(CumulativeMerkleTree.verify(domain, root, new RewardLeaf(owner, earned.add(BigInteger.ONE)), proof(claim)));
    }

    @Test
    void badAddressesThenClaimsFromTheActiveRootMatchTheChain() throws Exception {
        for (String bad : new String[] {"0x123", "not-an-address", "0x" + "g".repeat(40), ALICE + "00", ""}) {
            APIGatewayV2HTTPResponse r = get(bad);
            assertEquals(400, r.getStatusCode(), bad);
            assertEquals("invalid_address", body(r).get("error").asText());
        }
        assertEquals(400, get(null).getStatusCode(), "no path parameter at all");
        assertEquals(404, get(ALICE).getStatusCode(), "nothing on chain yet");
        assertEquals("nothing_to_claim", body(get(ALICE)).get("error").asText());

        device("claims-alice-1", ALICE);
        device("claims-alice-2", ALICE);
        device("claims-bob-1", BOB);
        work("claims-alice-1", 0, 2, 1);
        work("claims-alice-2", 0, 1, 1);
        work("claims-bob-1", 0, 3, 1);
        assertEquals(1, closeThrough(0).size());
        assertEquals(404, get(ALICE).getStatusCode(), "closed but not on chain");

        RewardsClaimer claimer = new RewardsClaimer(web3j, chain);
        assertEquals(0, settler().settleLatest().orElseThrow().epoch());
        assertTrue(claimer.state().hasPending());
        assertEquals(404, get(ALICE).getStatusCode(), "on chain but pending: nothing is claimable yet");
        awaitActivation(claimer);

        BigInteger aliceShare = EMISSION.multiply(BigInteger.TWO).divide(BigInteger.valueOf(6))
                .add(EMISSION.divide(BigInteger.valueOf(6)));
        BigInteger bobShare = EMISSION.multiply(BigInteger.valueOf(3)).divide(BigInteger.valueOf(6));
        JsonNode alice = ok(ALICE_MIXED_CASE);
        assertClaim(alice, ALICE, 0, aliceShare, BigInteger.ZERO);
        assertEquals(404, get(NOBODY).getStatusCode());

        // Alice claims with what the API served; afterwards claimable = earned - claimed on chain = 0.
        assertEquals(aliceShare, claimer.claim(RELAYER, ALICE, aliceShare, proof(alice)).amountPaid());
        assertEquals(aliceShare, claimer.claimedAmount(ALICE));
        assertClaim(ok(ALICE), ALICE, 0, aliceShare, aliceShare);

        // Epoch 1: bob works. Its root goes out pending; during the window the API serves epoch 0's
        // proof (the one claims verify against) and shows the pending leaf.
        work("claims-bob-1", 1, 1, 4);
        closeThrough(1);
        assertEquals(1, settler().settleLatest().orElseThrow().epoch());
        JsonNode bobInWindow = ok(BOB);
        assertClaim(bobInWindow, BOB, 0, bobShare, BigInteger.ZERO);
        assertEquals(1, bobInWindow.get("pending").get("epoch").asLong());
        assertEquals(bobShare.add(EMISSION).toString(), bobInWindow.get("pending").get("cumulativeAmount").asText());
        assertTrue(claimer.state().hasPending(), "still in the activation window");
        assertEquals(bobShare, claimer.claim(RELAYER, BOB, bobShare, proof(bobInWindow)).amountPaid(),
                "a proof served during the activation window verifies on chain");

        awaitActivation(claimer);
        JsonNode bobAfter = ok(BOB);
        assertClaim(bobAfter, BOB, 1, bobShare.add(EMISSION), bobShare);
        assertEquals(EMISSION, claimer.claim(RELAYER, BOB, bobShare.add(EMISSION), proof(bobAfter)).amountPaid());
        assertClaim(ok(BOB), BOB, 1, bobShare.add(EMISSION), bobShare.add(EMISSION));
        assertClaim(ok(ALICE), ALICE, 1, aliceShare, aliceShare);
        assertEquals(List.of(0L, 1L), published);
    }
}
