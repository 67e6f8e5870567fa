package dev.flywheel.core.types.uptime;

import dev.flywheel.core.crypto.DeviceSigningKey;
import dev.flywheel.core.crypto.Encoding;
import dev.flywheel.core.crypto.SignatureScheme;
import dev.flywheel.core.proof.MalformedProofException;
import dev.flywheel.core.proof.ProofCodec;
import dev.flywheel.core.proof.ProofEnvelope;
import dev.flywheel.core.proof.DeviceRecord;
import dev.flywheel.core.proof.DeviceStatus;
import dev.flywheel.core.verify.InboundProof;
import dev.flywheel.core.proof.PlausibilityChecks;
import dev.flywheel.core.proof.PriorProofs;
import dev.flywheel.core.verify.ProofVerifier;
import dev.flywheel.core.proof.ReasonCode;
import dev.flywheel.core.verify.Verdict;
import dev.flywheel.core.verify.VerificationPolicy;
import dev.flywheel.core.proof.ProofTypes;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UptimeResponseRuleTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Instant ISSUED = Instant.parse("2026-11-25T12:00:05Z");
    private static final String ENTROPY = "ab".repeat(32);
    private static final DeviceSigningKey KEY = DeviceSigningKey.generate(SignatureScheme.ED25519, RANDOM);
    private static final DeviceRecord NODE = new DeviceRecord("node-1", SignatureScheme.ED25519, KEY.publicKey(),
            "0x1111111111111111111111111111111111111111", DeviceStatus.ACTIVE, null);

    /** The port in memory: the same claim semantics as the DynamoDB adapter. */
    static final class MemoryChallenges implements ChallengeLookup {
        final Map<String, IssuedChallenge> issued = new ConcurrentHashMap<>();
        final Map<String, String> answers = new ConcurrentHashMap<>();

        void issue(IssuedChallenge c) {
            issued.put(c.challenge(), c);
        }

        @Override
        public Optional<IssuedChallenge> find(String challengeHex) {
            return Optional.ofNullable(issued.get(challengeHex));
        }

        @Override
        public Optional<String> claimAnswer(String challengeHex, String proofId) {
            String first = answers.putIfAbsent(challengeHex, proofId);
            return first == null || first.equals(proofId) ? Optional.empty() : Optional.of(first);
        }
    }

    private final MemoryChallenges challenges = new MemoryChallenges();
    private final UptimeResponseRule rule = UptimeResponseRule.defaults(challenges);

    private String issue(String deviceId, String expected) {
        String c = UptimeChallenges.derive(ENTROPY, 29_926_800, deviceId);
        challenges.issue(new IssuedChallenge(c, deviceId, ISSUED, expected));
        return c;
    }

    private static ProofEnvelope proof(long seq, ChallengeResponse body) throws MalformedProofException {
        return ProofCodec.decode(ProofCodec.encode(NODE.deviceId(), seq, ISSUED.plusSeconds(1), null, body, KEY));
    }

    private Optional<PlausibilityChecks.Failure> check(long seq, ChallengeResponse body, Instant receivedAt) throws MalformedProofException {
        return rule.check(proof(seq, body), body, NODE, Optional.empty(), receivedAt);
    }

    @Test
    void deadlineIsInclusive() throws Exception {
        String c = issue("node-1", null);
        var r = new ChallengeResponse(c, "00".repeat(32), 42);
        assertTrue(check(1, r, ISSUED.plusMillis(30_000)).isEmpty(), "30 000 ms after issue");

        String c2 = UptimeChallenges.derive(ENTROPY, 29_926_801, "node-1");
        challenges.issue(new IssuedChallenge(c2, "node-1", ISSUED, null));
        var late = check(2, new ChallengeResponse(c2, "00".repeat(32), 42), ISSUED.plusMillis(30_001));
        assertEquals(UptimeReason.CHALLENGE_EXPIRED, late.orElseThrow().reason(), "30 001 ms after issue");
        assertEquals(30_001L, late.get().evidence().get("elapsedMillis"));
        assertEquals(30_000L, late.get().evidence().get("limitMillis"));
        assertTrue(challenges.answers.get(c2) == null, "a late answer does not use up the challenge");
    }

    @Test
    void answerBeforeIssueIsExpired() throws Exception {
        String c = issue("node-1", null);
        assertEquals(UptimeReason.CHALLENGE_EXPIRED,
                check(1, new ChallengeResponse(c, "00".repeat(32), 1), ISSUED.minusMillis(1)).orElseThrow().reason());
        assertTrue(check(2, new ChallengeResponse(c, "00".repeat(32), 1), ISSUED).isEmpty(), "at the issue instant");
    }

    @Test
    void unknownAndForeignChallenges() throws Exception {
        assertEquals(UptimeReason.CHALLENGE_UNKNOWN,
                check(1, new ChallengeResponse("cd".repeat(32), "00".repeat(32), 1), ISSUED).orElseThrow().reason());
        String other = issue("node-2", null);
        assertEquals(UptimeReason.CHALLENGE_NOT_FOR_DEVICE,
                check(2, new ChallengeResponse(other, "00".repeat(32), 1), ISSUED).orElseThrow().reason());
    }

    @Test
    void oneAnswerPerChallengeButTheSameProofMayComeAgain() throws Exception {
        String c = issue("node-1", null);
        var body = new ChallengeResponse(c, "00".repeat(32), 5);
        ProofEnvelope first = proof(1, body);
        assertTrue(rule.check(first, body, NODE, Optional.empty(), ISSUED.plusSeconds(1)).isEmpty());
        assertTrue(rule.check(first, body, NODE, Optional.empty(), ISSUED.plusSeconds(2)).isEmpty(),
                "a redelivery of the same proof: the ledger calls it replayed, not this rule");
        var second = rule.check(proof(2, body), body, NODE, Optional.empty(), ISSUED.plusSeconds(3));
        assertEquals(UptimeReason.CHALLENGE_ALREADY_ANSWERED, second.orElseThrow().reason());
        assertEquals(first.proofId(), second.get().evidence().get("firstProofId"));
    }

    @Test
    void expectedResponseIsCompared() throws Exception {
        byte[] digest = Encoding.sha256("chunk 17".getBytes(StandardCharsets.UTF_8));
        String c = UptimeChallenges.derive(ENTROPY, 1, "node-1");
        String expected = UptimeChallenges.response(c, digest);
        challenges.issue(new IssuedChallenge(c, "node-1", ISSUED, expected));
        assertEquals(UptimeReason.CHALLENGE_RESPONSE_MISMATCH,
                check(1, new ChallengeResponse(c, "00".repeat(32), 1), ISSUED).orElseThrow().reason());
        assertTrue(check(2, new ChallengeResponse(c, expected, 1), ISSUED).isEmpty());
    }

    @Test
    void needsTheReceiveTime() throws Exception {
        String c = issue("node-1", null);
        var body = new ChallengeResponse(c, "00".repeat(32), 1);
        assertThrows(IllegalStateException.class, () -> rule.check(proof(1, body), body, NODE, Optional.empty()));
    }

    @Test
    void derivationDependsOnEntropyPeriodAndNode() {
        String c = UptimeChallenges.derive(ENTROPY, 7, "node-1");
        assertEquals(64, c.length());
        assertEquals(c, UptimeChallenges.derive(ENTROPY, 7, "node-1"));
        assertNotEquals(c, UptimeChallenges.derive(ENTROPY, 8, "node-1"));
        assertNotEquals(c, UptimeChallenges.derive(ENTROPY, 7, "node-2"));
        assertNotEquals(c, UptimeChallenges.derive("cd".repeat(32), 7, "node-1"));
        // Independent vector: python3 hashlib.sha256(bytes.fromhex('ab'*32) + struct.pack('>Q', 7) + b'node-1')
        assertEquals(VECTOR, c);
    }

    static final String VECTOR = "1432f4789c04d1eb3044d3babc76c911ecc9c876de8defffa44efb81c78e63de";

    @Test
    void codecIsStrictAndRoundTrips() throws Exception {
        String c = issue("node-1", null);
        var body = new ChallengeResponse(c, "0f".repeat(32), 12);
        assertEquals(body, proof(1, body).body());
        var type = new UptimeResponseType();
        var node = type.encode(body);
        node.put("challenge", c.toUpperCase());
        assertEquals(ReasonCode.SCHEMA_INVALID, assertThrows(MalformedProofException.class, () -> type.decode(node)).reason());
        var extra = type.encode(body).put("bytes", 1);
        assertThrows(MalformedProofException.class, () -> type.decode(extra));
        var slow = type.encode(body).put("latencyMs", 3_600_001);
        assertThrows(MalformedProofException.class, () -> type.decode(slow));
        var negative = type.encode(body).put("latencyMs", -1);
        assertThrows(MalformedProofException.class, () -> type.decode(negative));
    }

    @Test
    void throughTheVerifierWithTheServerReceiveTime() {
        String c = issue("node-1", null);
        var verifier = new ProofVerifier(id -> Optional.of(NODE).filter(n -> n.deviceId().equals(id)), id -> false,
                VerificationPolicy.defaults(), new PlausibilityChecks(List.of(rule)), ProofTypes.builtIn(), PriorProofs.NONE);
        byte[] payload = ProofCodec.encode("node-1", 1, ISSUED.plusSeconds(2), null, new ChallengeResponse(c, "00".repeat(32), 3), KEY);
        assertInstanceOf(Verdict.Accepted.class, verifier.verify(new InboundProof("d1", "node-1", ISSUED.plusSeconds(30), payload)));
        byte[] late = ProofCodec.encode("node-1", 2, ISSUED.plusSeconds(2), null, new ChallengeResponse(c, "00".repeat(32), 3), KEY);
        Verdict v = verifier.verify(new InboundProof("d2", "node-1", ISSUED.plusMillis(30_001), late));
        assertEquals(UptimeReason.CHALLENGE_EXPIRED, assertInstanceOf(Verdict.Rejected.class, v).reason());
    }
}
