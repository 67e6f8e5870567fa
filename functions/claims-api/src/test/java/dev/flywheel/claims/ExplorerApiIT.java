package dev.flywheel.claims;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flywheel.chain.ChainConfig;
import dev.flywheel.chain.LocalKeyTransactionSigner;
import dev.flywheel.chain.RewardsClaimer;
import dev.flywheel.chain.RootPublisher;
import dev.flywheel.chain.SettlementReceipt;
import dev.flywheel.core.crypto.DeviceSigningKey;
import dev.flywheel.core.crypto.Encoding;
import dev.flywheel.core.crypto.SignatureScheme;
import dev.flywheel.core.epoch.DeviceLocations;
import dev.flywheel.core.epoch.EpochCloser;
import dev.flywheel.core.epoch.EpochSettler;
import dev.flywheel.core.epoch.ManifestDocument;
import dev.flywheel.core.epoch.RootPublication;
import dev.flywheel.core.geo.H3Native;
import dev.flywheel.core.merkle.LeafDomain;
import dev.flywheel.core.network.NetworkConfig;
import dev.flywheel.core.proof.ProofCodec;
import dev.flywheel.core.types.sensor.SensorReading;
import dev.flywheel.core.proof.DeviceRecord;
import dev.flywheel.core.proof.DeviceStatus;
import dev.flywheel.core.verify.InboundProof;
import dev.flywheel.core.proof.PlausibilityChecks;
import dev.flywheel.core.verify.ProofVerifier;
import dev.flywheel.core.proof.ReasonCode;
import dev.flywheel.core.verify.Verdict;
import dev.flywheel.core.verify.VerdictLedger;
import dev.flywheel.core.verify.VerificationPolicy;
import dev.flywheel.dynamodb.DynamoEpochLedger;
import dev.flywheel.dynamodb.DynamoEpochWork;
import dev.flywheel.dynamodb.DynamoHexSummaries;
import dev.flywheel.dynamodb.DynamoOnboardingRegistry;
import dev.flywheel.dynamodb.DynamoProofLedger;
import dev.flywheel.dynamodb.DynamoSettlementAlarms;
import dev.flywheel.dynamodb.DynamoTransactionJournal;
import dev.flywheel.dynamodb.TableNames;
import dev.flywheel.s3.S3VerdictArchive;
import dev.flywheel.core.verify.VerificationService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

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
 * The explorer's JSON endpoints against the real stand-ins: registry, ledger and epochs on moto, the distributor on
 * Anvil. One network is built once (three devices of two owners in two hexes, accepted proofs, one replayed delivery,
 * epoch 0 closed, its root published and active), and every endpoint is checked against what the adapters stored,
 * including the bad inputs: unknown device or owner, malformed addresses and ids, epochs out of range. Every verdict is
 * also written to the paper trail on moto's S3 as the verifier writes it (one object per batch, one batch redelivered).
 */
class ExplorerApiIT {
    private static final BigInteger EMISSION = new BigInteger("6000000000000000000000");
    private static final Duration ACTIVATION_DELAY = Duration.ofSeconds(2);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ObjectMapper JSON = new ObjectMapper();
    // Two hexes at resolution 8 in Lisbon; alice-1 moves from the first to the second.
    private static final String CELL_A = H3Native.get().latLngToCellAddress(38.7223, -9.1393, 8);
    private static final String CELL_B = H3Native.get().latLngToCellAddress(38.7370, -9.1500, 8);

    private static DynamoDbClient dynamo;
    private static TableNames tables;
    private static ClaimsApiHandler handler;
    private static DynamoProofLedger proofs;
    private static DynamoEpochLedger epochs;
    private static ClaimsApiStack stack;
    private static Web3j web3j;
    private static ChainConfig chain;
    private static LeafDomain domain;
    private static JsonNode emptyHexes;
    private static final Map<String, DeviceRecord> DIRECTORY = new HashMap<>();
    private static final Map<String, DeviceSigningKey> KEYS = new HashMap<>();
    private static final Map<String, byte[]> PAYLOADS = new HashMap<>();
    private static String replayedDelivery;
    private static final List<VerificationService.Result.Done> RECORDED = new ArrayList<>();

    @BeforeAll
    static void buildNetwork() throws Exception {
        stack = new ClaimsApiStack("explorer-it", EMISSION, ACTIVATION_DELAY);
        web3j = stack.web3j;
        chain = stack.chain;
        domain = stack.domain;
        dynamo = stack.dynamo;
        tables = stack.tables;
        handler = stack.handler;
        proofs = stack.proofs;
        epochs = stack.epochs;

        emptyHexes = ok("/network/hexes");

        DynamoOnboardingRegistry registry = new DynamoOnboardingRegistry(dynamo, tables.devices());
        register(registry, "explorer-alice-1", ALICE, CELL_A);
        register(registry, "explorer-alice-2", ALICE, CELL_B);
        register(registry, "explorer-bob-1", BOB, CELL_A);
        assertTrue(registry.assertLocation("explorer-alice-1", 0, CELL_B, 30, 12, Map.of("signature", "test"),
                Instant.parse("2026-01-01T00:00:05Z")));

        ProofVerifier verifier = new ProofVerifier(id -> Optional.ofNullable(DIRECTORY.get(id)), id -> false,
                VerificationPolicy.defaults(), PlausibilityChecks.defaults());
        work(verifier, "explorer-alice-1", 2);
        work(verifier, "explorer-alice-2", 1);
        work(verifier, "explorer-bob-1", 3);
        // alice-1's first proof again in a new delivery: the ledger records it as replayed, with evidence.
        InboundProof replay = delivery("explorer-alice-1", 1, "explorer-alice-1#replay");
        replayedDelivery = replay.deliveryId();
        Verdict judged = verifier.verify(replay);
        VerdictLedger.Recorded recorded = proofs.record(replay, judged);
        assertEquals(ReasonCode.REPLAYED, assertInstanceOf(Verdict.Rejected.class, recorded.stored()).reason());
        RECORDED.add(new VerificationService.Result.Done(replay, recorded));
        // The paper trail as the verifier writes it: the batch's object, then a redelivery of part of it with another
        // member (a second object holding bob-1's first proof again, now not its first recording).
        S3VerdictArchive trail = new S3VerdictArchive(stack.s3, stack.trail, JSON);
        trail.archive(RECORDED);
        VerificationService.Result.Done again = RECORDED.stream()
                .filter(d -> d.delivery().deliveryId().equals("explorer-bob-1#1")).findFirst().orElseThrow();
        trail.archive(List.of(new VerificationService.Result.Done(again.delivery(), new VerdictLedger.Recorded(
                VerdictLedger.Outcome.ALREADY_RECORDED, again.recorded().stored(), again.recorded().epoch())), RECORDED.get(0)));

        Clock wall = Clock.fixed(CLOCK.end(0).plusSeconds(1), ZoneOffset.UTC);
        assertEquals(1, new EpochCloser(epochs, new DynamoEpochWork(dynamo, tables), DeviceLocations.of(Map.of()),
                NetworkConfig.uniform(CLOCK, EMISSION, Duration.ZERO), wall, 1, domain).closeDue(10).size());
        // What the epoch closer's handler does after a close: the map's hex summary of the epoch.
        DynamoHexSummaries summaries = new DynamoHexSummaries(dynamo, tables);
        assertEquals(List.of(0L), summaries.writeMissing(0, 0, 10, epochs::deviceRewards, (e, ids) -> summaries.registeredCells(ids)));
        var journal = new DynamoTransactionJournal(dynamo, tables.settlements());
        new EpochSettler(epochs, (epoch, root, total, manifestHash) -> {
            SettlementReceipt r = new RootPublisher(web3j, chain, journal, new LocalKeyTransactionSigner(PUBLISHER))
                    .publish(epoch, Encoding.fromHex(root), total, Encoding.fromHex(manifestHash));
            assertTrue(r.settled(), r.toString());
            return new RootPublication.Published(r.txHash());
        }, CLOCK, new DynamoSettlementAlarms(dynamo, tables.settlements())).settleLatest().orElseThrow();
        RewardsClaimer claimer = new RewardsClaimer(web3j, chain);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (claimer.state().hasPending() && System.nanoTime() < deadline) {
            Thread.sleep(250);
        }
        assertFalse(claimer.state().hasPending(), "the root did not activate");
        Thread.sleep(1_200);
    }

    private static void register(DynamoOnboardingRegistry registry, String id, String owner, String cell) {
        DeviceSigningKey key = DeviceSigningKey.generate(SignatureScheme.P256_SHA256, RANDOM);
        KEYS.put(id, key);
        DeviceRecord record = new DeviceRecord(id, SignatureScheme.P256_SHA256, key.publicKey(), owner, DeviceStatus.ACTIVE, cell);
        DIRECTORY.put(id, record);
        assertTrue(registry.register(new DynamoOnboardingRegistry.Registration(record, "explorer-it", "arn:thing/" + id,
                "cert-" + id, "arn:cert/" + id, 1, Map.of("ownerSignature", "test")), Instant.parse("2026-01-01T00:00:01Z")));
    }

    private static InboundProof delivery(String deviceId, long seq, String deliveryId) {
        Instant received = CLOCK.start(0).plusSeconds(10 + seq);
        // The same signed bytes for every delivery of (device, seq): a second delivery is a replay.
        byte[] payload = PAYLOADS.computeIfAbsent(deviceId + "#" + seq, k -> ProofCodec.encode(deviceId, seq,
                received.minusMillis(50), null, new SensorReading("temperature", 4.5 + seq, "celsius"), KEYS.get(deviceId)));
        return new InboundProof(deliveryId, deviceId, received, payload);
    }

    private static void work(ProofVerifier verifier, String deviceId, int count) {
        for (int seq = 1; seq <= count; seq++) {
            InboundProof in = delivery(deviceId, seq, deviceId + "#" + seq);
            Verdict v = verifier.verify(in);
            assertInstanceOf(Verdict.Accepted.class, v);
            VerdictLedger.Recorded recorded = proofs.record(in, v);
            assertEquals(VerdictLedger.Outcome.RECORDED, recorded.outcome());
            RECORDED.add(new VerificationService.Result.Done(in, recorded));
        }
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    private static APIGatewayV2HTTPResponse get(String pathAndQuery) {
        return get(handler, pathAndQuery);
    }

    private static APIGatewayV2HTTPResponse get(ClaimsApiHandler handler, String pathAndQuery) {
        APIGatewayV2HTTPEvent request = new APIGatewayV2HTTPEvent();
        String[] parts = pathAndQuery.split("\\?", 2);
        request.setRawPath(parts[0]);
        request.setRouteKey("GET " + parts[0]);
        if (parts.length == 2) {
            Map<String, String> query = new HashMap<>();
            for (String kv : parts[1].split("&")) {
                String[] p = kv.split("=", 2);
                query.put(p[0], p.length == 2 ? p[1] : "");
            }
            request.setQueryStringParameters(query);
        }
        return handler.handleRequest(request, null);
    }

    private static JsonNode ok(String path) throws Exception {
        APIGatewayV2HTTPResponse r = get(path);
        assertEquals(200, r.getStatusCode(), path + " -> " + r.getBody());
        assertEquals("application/json", r.getHeaders().get("content-type"));
        return JSON.readTree(r.getBody());
    }

    /** A 4xx with an error code and a message, and nothing that looks like a stack trace. */
    private static void rejected(String path, int status, String error) throws Exception {
        APIGatewayV2HTTPResponse r = get(path);
        assertEquals(status, r.getStatusCode(), path + " -> " + r.getBody());
        JsonNode body = JSON.readTree(r.getBody());
        assertEquals(error, body.path("error").asText(), path + " -> " + r.getBody());
        assertFalse(body.path("detail").asText().isBlank(), "a message for " + path);
        assertFalse(r.getBody().contains("Exception") || r.getBody().contains("\tat "), "no stack trace: " + r.getBody());
    }

    private static BigInteger share(long units, long total) {
        return EMISSION.multiply(BigInteger.valueOf(units)).divide(BigInteger.valueOf(total));
    }

    @Test
    void emptyNetworkIsAnEmptyMap() {
        assertEquals(0, emptyHexes.path("hexes").size());
        assertEquals(0, emptyHexes.path("activeDevices").asInt());
        assertTrue(emptyHexes.path("epoch").isNull(), "no epoch closed yet: " + emptyHexes);
    }

    @Test
    void summaryNamesTheChainAndTheCursor() throws Exception {
        JsonNode s = ok("/network/summary");
        assertEquals(chain.distributorAddress().toLowerCase(), s.path("distributor").asText().toLowerCase());
        assertEquals(0, s.path("firstEpoch").asLong());
        assertEquals(0, s.path("lastClosed").asLong());
        assertEquals(0, s.path("lastSettled").asLong());
        assertEquals(CLOCK.epochOf(Instant.now()), s.path("currentEpoch").asLong(), 1);
    }

    @Test
    void hexesCountDevicesAndRewardsByCell() throws Exception {
        JsonNode map = ok("/network/hexes");
        assertEquals(0, map.path("epoch").asLong());
        assertEquals(3, map.path("activeDevices").asInt());
        assertEquals(8, map.path("resolution").asInt(), "resolution 8 by default");
        Map<String, JsonNode> byCell = new HashMap<>();
        map.path("hexes").forEach(h -> byCell.put(h.path("cell").asText(), h));
        // alice-1 asserted a new location: CELL_B holds alice-1 and alice-2, CELL_A holds bob-1.
        assertEquals(Set.of(CELL_A, CELL_B), byCell.keySet());
        assertEquals(2, byCell.get(CELL_B).path("activeDevices").asInt());
        assertEquals(1, byCell.get(CELL_A).path("activeDevices").asInt());
        BigInteger aliceTotal = epochs.ownerRewards(0, ALICE).stream().map(r -> r.amount()).reduce(BigInteger.ZERO, BigInteger::add);
        assertEquals(aliceTotal.toString(), byCell.get(CELL_B).path("rewards").asText());
        assertEquals(share(3, 6).toString(), byCell.get(CELL_A).path("rewards").asText());
        assertEquals(3, byCell.get(CELL_A).path("units").asLong());
        // The coarser resolution of the summary: the cells' parents at resolution 5, devices and rewards added up.
        JsonNode coarse = ok("/network/hexes?resolution=5");
        Map<String, Integer> coarseCount = new HashMap<>();
        coarse.path("hexes").forEach(h -> coarseCount.put(h.path("cell").asText(), h.path("activeDevices").asInt()));
        Map<String, Integer> expected = new HashMap<>();
        expected.merge(H3Native.get().cellToParentAddress(CELL_A, 5), 1, Integer::sum);
        expected.merge(H3Native.get().cellToParentAddress(CELL_B, 5), 2, Integer::sum);
        assertEquals(expected, coarseCount);

        JsonNode hex = ok("/network/hexes/" + CELL_B);
        Set<String> ids = new HashSet<>();
        hex.path("devices").forEach(d -> ids.add(d.path("deviceId").asText()));
        assertEquals(Set.of("explorer-alice-1", "explorer-alice-2"), ids);
        assertEquals(0, hex.path("moreDevices").asInt());
        hex.path("devices").forEach(d -> {
            assertEquals(ALICE, d.path("owner").asText());
            assertEquals("ACTIVE", d.path("status").asText());
        });
        // A resolution-5 hex lists its resolution-8 children's devices.
        String parentA = H3Native.get().cellToParentAddress(CELL_A, 5);
        Set<String> inParent = new HashSet<>();
        ok("/network/hexes/" + parentA).path("devices").forEach(d -> inParent.add(d.path("deviceId").asText()));
        Set<String> expectedInParent = new HashSet<>(Set.of("explorer-bob-1"));
        if (parentA.equals(H3Native.get().cellToParentAddress(CELL_B, 5))) {
            expectedInParent.addAll(Set.of("explorer-alice-1", "explorer-alice-2"));
        }
        assertEquals(expectedInParent, inParent);

        rejected("/network/hexes?epoch=abc", 400, "invalid_epoch");
        rejected("/network/hexes?epoch=-1", 400, "epoch_out_of_range");
        rejected("/network/hexes?epoch=" + (CLOCK.epochOf(Instant.now()) + 10), 400, "epoch_out_of_range");
        rejected("/network/hexes?resolution=99", 400, "invalid_resolution");
        rejected("/network/hexes?resolution=3", 400, "invalid_resolution");
        rejected("/network/hexes/" + H3Native.get().cellToParentAddress(CELL_A, 3), 400, "hex_too_coarse");
        rejected("/network/hexes/not-a-cell", 400, "invalid_cell");
        rejected("/network/nothing-here", 404, "not_found");
    }

    @Test
    void deviceShowsStatusLocationHistoryVerdictsAndRewards() throws Exception {
        JsonNode d = ok("/network/devices/explorer-alice-1");
        assertEquals(ALICE, d.path("owner").asText());
        assertEquals("ACTIVE", d.path("status").asText());
        assertEquals(CELL_B, d.path("location").path("h3Cell").asText());
        assertEquals(1, d.path("locationHistory").size());
        assertEquals(CELL_B, d.path("locationHistory").get(0).path("h3Cell").asText());
        assertEquals(1, d.path("ownerHistory").size());
        assertEquals(2, d.path("acceptedLifetime").asLong());

        // Verdicts as the ledger stores them: two accepted, one replayed with the first delivery as evidence.
        List<DynamoProofLedger.VerdictRecord> stored = proofs.verdictsForDevice("explorer-alice-1", 50);
        assertEquals(stored.size(), d.path("proofs").size());
        List<String> outcomes = new ArrayList<>();
        d.path("proofs").forEach(p -> outcomes.add(p.path("outcome").asText() + ":" + p.path("reason").asText("")));
        assertEquals(2, outcomes.stream().filter(o -> o.startsWith("accepted")).count(), outcomes.toString());
        JsonNode replay = null;
        for (JsonNode p : d.path("proofs")) {
            if (replayedDelivery.equals(p.path("deliveryId").asText())) {
                replay = p;
            }
        }
        assertTrue(replay != null, "the replayed delivery is listed: " + d.path("proofs"));
        assertEquals("rejected", replay.path("outcome").asText());
        assertEquals("replayed", replay.path("reason").asText());
        assertEquals("explorer-alice-1#1", replay.path("evidence").path("firstDeliveryId").asText());

        assertEquals(1, d.path("epochs").size());
        JsonNode e0 = d.path("epochs").get(0);
        assertEquals(0, e0.path("epoch").asLong());
        assertEquals(2, e0.path("units").path("sensor.reading").asLong(), e0.toString());
        assertEquals(share(2, 6).toString(), e0.path("reward").asText());
        assertEquals(share(2, 6).toString(), d.path("lifetimeEarned").asText());

        rejected("/network/devices/no-such-device", 404, "unknown_device");
        rejected("/network/devices/bad%20id!", 400, "invalid_device_id");
    }

    @Test
    void ownerShowsDevicesEarnedClaimedAndClaimable() throws Exception {
        BigInteger aliceShare = share(2, 6).add(share(1, 6));
        JsonNode o = ok("/network/owners/" + ALICE.toUpperCase().replace("0X", "0x"));
        assertEquals(ALICE, o.path("owner").asText());
        assertEquals(2, o.path("devices").size());
        assertEquals(aliceShare.toString(), o.path("lifetimeEarned").asText());
        assertEquals(epochs.ownerBalance(0, ALICE).orElseThrow().cumulative().toString(), o.path("lifetimeEarned").asText());
        assertEquals("0", o.path("claimed").asText());
        assertEquals(aliceShare.toString(), o.path("claimable").asText());
        assertEquals(aliceShare.toString(), o.path("claim").path("cumulativeAmount").asText());
        assertEquals(epochs.manifest(0).orElseThrow().rootHex(), o.path("claim").path("root").asText());

        // Bob claims (a relayer pays): the owner page then shows it claimed from the chain, nothing claimable.
        JsonNode bob = ok("/network/owners/" + BOB);
        List<byte[]> proof = new ArrayList<>();
        bob.path("claim").path("proof").forEach(p -> proof.add(Encoding.fromHex(p.asText())));
        BigInteger bobShare = new BigInteger(bob.path("claimable").asText());
        assertEquals(share(3, 6), bobShare);
        new RewardsClaimer(web3j, chain).claim(RELAYER, BOB, bobShare, proof);
        JsonNode after = ok("/network/owners/" + BOB);
        assertEquals(bobShare.toString(), after.path("claimed").asText());
        assertEquals(bobShare.toString(), after.path("tokenBalance").asText());
        assertEquals("0", after.path("claimable").asText());

        rejected("/network/owners/" + NOBODY, 404, "unknown_owner");
        rejected("/network/owners/0x123", 400, "invalid_address");
        rejected("/network/owners/0x" + "g".repeat(40), 400, "invalid_address");
    }

    @Test
    void epochShowsTheSplitManifestRootAndChainMatch() throws Exception {
        JsonNode e = ok("/network/epochs/0");
        var manifest = epochs.manifest(0).orElseThrow();
        assertEquals("settled", e.path("status").asText());
        assertEquals(EMISSION.toString(), e.path("emission").asText());
        assertEquals(EMISSION, new BigInteger(e.path("allocated").asText()).add(new BigInteger(e.path("unallocated").asText())));
        assertTrue(e.path("pools").size() >= 1, e.toString());
        assertEquals(manifest.rootHex(), e.path("root").asText());
        assertEquals(manifest.manifestHash(), e.path("manifestHash").asText());
        assertEquals(epochs.rootTransaction(0).orElseThrow(), e.path("rootTx").asText());
        assertTrue(e.path("onChain").path("rootMatches").asBoolean(), e.toString());
        assertTrue(e.path("onChain").path("manifestHashMatches").asBoolean(), e.toString());
        assertEquals("active", e.path("onChain").path("state").asText());
        assertTrue(e.path("recompute").path("command").asText().contains("recompute 0"));

        APIGatewayV2HTTPResponse doc = get("/network/epochs/0/manifest");
        assertEquals(200, doc.getStatusCode());
        assertEquals(manifest.manifestHash(), ManifestDocument.hash(doc.getBody().getBytes(StandardCharsets.UTF_8)),
                "the served manifest hashes to the hash on chain");

        assertEquals("open", ok("/network/epochs/1").path("status").asText());
        rejected("/network/epochs/-1", 400, "epoch_out_of_range");
        rejected("/network/epochs/" + (CLOCK.epochOf(Instant.now()) + 1), 400, "epoch_out_of_range");
        rejected("/network/epochs/zero", 400, "invalid_epoch");
        rejected("/network/epochs/1/manifest", 404, "epoch_not_closed");
    }

    @Test
    void evidenceChainFromRewardToAcceptedProofs() throws Exception {
        JsonNode link = ok("/network/epochs/0/devices/explorer-bob-1");
        assertEquals(share(3, 6).toString(), link.path("reward").asText());
        assertEquals(link.path("reward").asText(), link.path("allocation").path("amount").asText(), link.toString());
        assertEquals(epochs.manifest(0).orElseThrow().rootHex(), link.path("root").asText());
        assertEquals(3, link.path("acceptedProofs").size());
        link.path("acceptedProofs").forEach(p -> assertEquals(0, p.path("epoch").asLong()));
        // For epochs past the replay guard: the paper trail's partitions that can hold the epoch's proofs, this device, accepted.
        String query = link.path("paperTrailQuery").asText();
        String firstDay = CLOCK.start(0).minus(java.time.Duration.ofDays(1)).toString().substring(0, 10);
        String lastDay = CLOCK.end(0).toString().substring(0, 10);
        assertTrue(query.contains("dt BETWEEN '" + firstDay + "' AND '" + lastDay + "'"), query);
        assertTrue(query.contains("device = 'explorer-bob-1' AND epoch = 0 AND outcome = 'accepted'"), query);

        rejected("/network/epochs/0/devices/no-such-device", 404, "unknown_device");
        rejected("/network/epochs/1/devices/explorer-bob-1", 404, "epoch_not_closed");
        rejected("/network/epochs/x/devices/explorer-bob-1", 400, "invalid_epoch");
        assertEquals("/network/epochs/0/devices/explorer-bob-1/proofs", link.path("proofsPath").asText());
    }

    /**
     * The last link, for any closed epoch: the device's accepted proofs of the epoch read back from the paper trail, each
     * once although a redelivered batch wrote one of them twice, and their units add up to the units the device was
     * rewarded for in that epoch (the manifest's entry).
     */
    @Test
    void acceptedProofsFromThePaperTrailAddUpToTheRewardedUnits() throws Exception {
        for (String device : List.of("explorer-alice-1", "explorer-alice-2", "explorer-bob-1")) {
            JsonNode link = ok("/network/epochs/0/devices/" + device);
            JsonNode trail = ok(link.path("proofsPath").asText());
            assertEquals("paper-trail", trail.path("source").asText());
            assertEquals(link.path("units").asLong(), trail.path("units").asLong(), device + ": " + trail);
            assertEquals(link.path("allocation").path("units").asLong(), trail.path("units").asLong(), link.toString());
            long sum = 0;
            List<String> ids = new ArrayList<>();
            for (JsonNode p : trail.path("proofs")) {
                sum += p.path("units").asLong();
                ids.add(p.path("deliveryId").asText());
                assertFalse(p.path("proofId").asText().isBlank());
                assertEquals(SensorReading.TYPE, p.path("proofType").asText());
            }
            assertEquals(trail.path("units").asLong(), sum);
            assertEquals(trail.path("count").asInt(), ids.size());
            // The same proofs the replay guard still lists for this young epoch, in receive order; never the replay.
            List<String> guard = new ArrayList<>();
            link.path("acceptedProofs").forEach(p -> guard.add(p.path("deliveryId").asText()));
            assertEquals(guard.stream().sorted().toList(), ids.stream().sorted().toList(), device);
            assertEquals(ids.stream().sorted().toList(), ids, "receive order: " + ids);
            assertFalse(ids.contains(replayedDelivery));
            assertFalse(trail.path("truncated").asBoolean());
            assertEquals(link.path("paperTrailQuery").asText(), trail.path("paperTrailQuery").asText());
        }
        assertEquals(3, ok("/network/epochs/0/devices/explorer-bob-1/proofs").path("count").asInt(),
                "bob-1's first proof was written to two objects: listed once");

        rejected("/network/epochs/x/devices/explorer-bob-1/proofs", 400, "invalid_epoch");
        rejected("/network/epochs/-1/devices/explorer-bob-1/proofs", 400, "epoch_out_of_range");
        rejected("/network/epochs/0/devices/bad%20id/proofs", 400, "invalid_device_id");
        rejected("/network/epochs/0/devices/no-such-device/proofs", 404, "unknown_device");
        rejected("/network/epochs/1/devices/explorer-bob-1/proofs", 404, "epoch_not_closed");
        rejected("/network/epochs/0/devices/explorer-bob-1/verdicts", 404, "not_found");
        assertTrue(get("/network/nothing").getBody().contains("/network/epochs/{n}/devices/{id}/proofs"));
    }

    /**
     * On AWS the link runs Athena; here moto's, which runs no SQL but keeps workgroups and each execution's state. Through
     * the handler as API Gateway calls it: a query Athena refuses is a 502 with Athena's reason, and one still running at
     * the deadline a 503 with {@code Retry-After}, so the page asks again (the same token finds the same execution).
     */
    @Test
    void athenaQueriesThatFailOrOutrunTheDeadlineAre502And503() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(dev.flywheel.testing.AwsBackend.choose().kind() == dev.flywheel.testing.AwsBackend.Kind.MOTO,
                "moto's Athena and its state manager (LocalStack Community has no Athena)");
        String path = "/network/epochs/0/devices/explorer-bob-1/proofs";
        Map<String, Object> athenaMode = Map.of("flywheel.explorer.paper-trail", "athena",
                "flywheel.explorer.athena.database", "flywheel_paper_trail", "flywheel.explorer.athena.deadline-seconds", "1");
        Map<String, Object> unknownWorkGroup = new HashMap<>(athenaMode);
        unknownWorkGroup.put("flywheel.explorer.athena.workgroup", "no-such-workgroup-" + System.nanoTime());
        try (ClaimsApiHandler refused = stack.handlerWith(unknownWorkGroup)) {
            APIGatewayV2HTTPResponse r = get(refused, path);
            assertEquals(502, r.getStatusCode(), r.getBody());
            JsonNode body = JSON.readTree(r.getBody());
            assertEquals("paper_trail_query_failed", body.path("error").asText());
            assertTrue(body.path("detail").asText().contains("WorkGroup does not exist"), r.getBody());
        }

        try (var athena = software.amazon.awssdk.services.athena.AthenaClient.builder()
                .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create()).build()) {
            String workGroup = "explorer-it-" + System.nanoTime();
            athena.createWorkGroup(w -> w.name(workGroup).configuration(c -> c.enforceWorkGroupConfiguration(true)
                    .resultConfiguration(rc -> rc.outputLocation("s3://" + stack.trail + "/athena-results/"))));
            Map<String, Object> queued = new HashMap<>(athenaMode);
            queued.put("flywheel.explorer.athena.workgroup", workGroup);
            // Hold moto's executions in QUEUED, as a query still scanning would be.
            motoApi("/moto-api/state-manager/set-transition",
                    "{\"model_name\":\"athena::execution\",\"transition\":{\"progression\":\"manual\",\"times\":1000000}}");
            try (ClaimsApiHandler running = stack.handlerWith(queued)) {
                APIGatewayV2HTTPResponse r = get(running, path);
                assertEquals(503, r.getStatusCode(), r.getBody());
                JsonNode body = JSON.readTree(r.getBody());
                assertEquals("paper_trail_query_running", body.path("error").asText());
                assertFalse(body.path("queryId").asText().isBlank(), r.getBody());
                assertEquals(body.path("retryAfterSeconds").asText(), r.getHeaders().get("retry-after"));
                assertTrue(body.path("retryAfterSeconds").asInt() > 0, r.getBody());
                assertEquals(List.of(body.path("queryId").asText()),
                        athena.listQueryExecutions(l -> l.workGroup(workGroup)).queryExecutionIds(), "one query, in the workgroup");
            } finally {
                motoApi("/moto-api/state-manager/unset-transition", "{\"model_name\":\"athena::execution\"}");
                athena.deleteWorkGroup(d -> d.workGroup(workGroup).recursiveDeleteOption(true));
            }
        }
    }

    private static void motoApi(String path, String body) throws Exception {
        var http = java.net.http.HttpClient.newHttpClient();
        var r = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(System.getenv("AWS_ENDPOINT_URL")).resolve(path))
                .header("content-type", "application/json").POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(2, r.statusCode() / 100, path + " -> " + r.statusCode() + " " + r.body());
    }
}
