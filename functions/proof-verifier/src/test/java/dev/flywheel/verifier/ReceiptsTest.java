package dev.flywheel.verifier;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flywheel.function.JsonMapperSettings;
import dev.flywheel.core.crypto.DeviceSigningKey;
import dev.flywheel.core.crypto.SignatureScheme;
import dev.flywheel.core.proof.ProofCodec;
import dev.flywheel.core.proof.ProofEnvelope;
import dev.flywheel.core.types.sensor.SensorReading;
import dev.flywheel.core.proof.DeviceRecord;
import dev.flywheel.core.proof.DeviceStatus;
import dev.flywheel.core.verify.InboundProof;
import dev.flywheel.core.proof.ReasonCode;
import dev.flywheel.core.verify.VerdictLedger;
import dev.flywheel.core.verify.Verdict;
import dev.flywheel.core.verify.VerificationService;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which results get a receipt, what it says, and how a batch of them is sent. */
class ReceiptsTest {
    private static final ObjectMapper JSON = JsonMapperSettings.configure(new ObjectMapper());
    private static final DeviceSigningKey KEY = DeviceSigningKey.generate(SignatureScheme.ED25519, new SecureRandom());

    private static InboundProof delivery(String thing) {
        return new InboundProof("d-1", thing, Instant.now(), new byte[0]);
    }

    private static VerificationService.Result done(String thing, VerdictLedger.Outcome outcome, Verdict stored, long epoch) {
        return new VerificationService.Result.Done(delivery(thing), new VerdictLedger.Recorded(outcome, stored, epoch));
    }

    private static Verdict.Accepted accepted(String thing, long seq) throws Exception {
        ProofEnvelope proof = ProofCodec.decode(ProofCodec.encode(thing, seq, Instant.now(), null,
                new SensorReading("humidity", 40, "percent"), KEY));
        return new Verdict.Accepted(proof, new DeviceRecord(thing, SignatureScheme.ED25519, KEY.publicKey(),
                "0x4444444444444444444444444444444444444444", DeviceStatus.ACTIVE, null), 0, 1);
    }

    private static Map<?, ?> json(VerdictReceipt r) throws Exception {
        return JSON.readValue(r.json(JSON), Map.class);
    }

    @Test
    void anAcceptedVerdictGetsAReceiptWithItsEpoch() throws Exception {
        Verdict.Accepted a = accepted("thing-a", 7);
        VerdictReceipt r = VerdictReceipt.of(done("thing-a", VerdictLedger.Outcome.RECORDED, a, 12)).orElseThrow();
        assertEquals("flywheel/v1/thing-a/receipts", r.topic());
        assertEquals("{\"proofId\":\"" + a.proof().proofId() + "\",\"seq\":7,\"outcome\":\"accepted\",\"epoch\":12}",
                new String(r.json(JSON)));
    }

    @Test
    void aRejectionCarriesItsReasonAndAnUndecodedOneHasNoProofId() throws Exception {
        Verdict.Rejected replayed = new Verdict.Rejected("thing-a", ReasonCode.REPLAYED, "again", "ab12", 7, Map.of());
        VerdictReceipt r = VerdictReceipt.of(done("thing-a", VerdictLedger.Outcome.RECORDED, replayed, 12)).orElseThrow();
        assertEquals(Map.of("proofId", "ab12", "seq", 7, "outcome", "rejected", "reason", "replayed"), json(r));

        Verdict.Rejected malformed = Verdict.Rejected.of("thing-a", ReasonCode.MALFORMED_JSON, "bad");
        VerdictReceipt m = VerdictReceipt.of(done("thing-a", VerdictLedger.Outcome.RECORDED, malformed, 12)).orElseThrow();
        assertEquals(Map.of("seq", -1, "outcome", "rejected", "reason", "malformed_json"), json(m));
    }

    @Test
    void theReceiptGoesToTheTopicThingNotTheThingTheEnvelopeNames() throws Exception {
        Verdict.Rejected mismatch = new Verdict.Rejected("thing-b", ReasonCode.TOPIC_DEVICE_MISMATCH, "x", "cd", 1, Map.of());
        assertEquals("flywheel/v1/thing-b/receipts",
                VerdictReceipt.of(done("thing-b", VerdictLedger.Outcome.RECORDED, mismatch, 1)).orElseThrow().topic());
    }

    @Test
    void noReceiptForARedeliveryTheUnattributedDeviceOrARetry() throws Exception {
        assertEquals(Optional.empty(), VerdictReceipt.of(done("thing-a", VerdictLedger.Outcome.ALREADY_RECORDED, accepted("thing-a", 1), 1)));
        assertEquals(Optional.empty(), VerdictReceipt.of(done(RuleMessage.UNATTRIBUTED, VerdictLedger.Outcome.RECORDED,
                Verdict.Rejected.of(RuleMessage.UNATTRIBUTED, ReasonCode.INVALID_RULE_MESSAGE, "x"), 1)));
        assertEquals(Optional.empty(), VerdictReceipt.of(new VerificationService.Result.Retry(delivery("thing-a"),
                new IllegalStateException("throttled"))));
    }

    private static List<VerdictReceipt> receipts(int n) {
        return IntStream.range(0, n).mapToObj(i -> new VerdictReceipt("thing-" + i, "p" + i, i, true, null, 1)).toList();
    }

    @Test
    void aBatchIsPublishedConcurrently() {
        int n = 40;
        var inFlight = new AtomicInteger();
        var maxInFlight = new AtomicInteger();
        Map<String, byte[]> got = new ConcurrentHashMap<>();
        ReceiptPublisher slow = (topic, payload) -> {
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            inFlight.decrementAndGet();
            got.put(topic, payload);
        };
        try (var sender = new ReceiptSender(slow, JSON, 8, Duration.ofSeconds(10))) {
            long start = System.nanoTime();
            assertEquals(new ReceiptSender.Summary(n, 0), sender.send(receipts(n)));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(n, got.size());
            assertEquals(8, maxInFlight.get());
            assertTrue(millis < n * 100 / 2, "40 x 100 ms on 8 threads took " + millis + " ms");
        }
    }

    @Test
    void failuresAreCountedNotThrown() {
        var calls = new AtomicInteger();
        ReceiptPublisher flaky = (topic, payload) -> {
            if (calls.incrementAndGet() % 2 == 0) {
                throw new IllegalStateException("HTTP 503");
            }
        };
        try (var sender = new ReceiptSender(flaky, JSON, 4, Duration.ofSeconds(5))) {
            assertEquals(new ReceiptSender.Summary(5, 5), sender.send(receipts(10)));
        }
    }

    @Test
    void aHungPublishIsAbandonedAtTheDeadline() {
        CountDownLatch never = new CountDownLatch(1);
        List<String> done = new ArrayList<>();
        ReceiptPublisher hung = (topic, payload) -> {
            try {
                never.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        try (var sender = new ReceiptSender(hung, JSON, 2, Duration.ofMillis(300))) {
            long start = System.nanoTime();
            ReceiptSender.Summary s = sender.send(receipts(3));
            assertTrue((System.nanoTime() - start) / 1_000_000 < 2_000);
            assertEquals(0, s.sent());
            assertEquals(3, s.failed());
        }
        assertTrue(done.isEmpty());
    }

    @Test
    void aDisabledSenderDoesNothing() {
        ReceiptSender off = ReceiptSender.disabled();
        assertFalse(off.enabled());
        assertEquals(ReceiptSender.Summary.NONE, off.send(receipts(3)));
    }
}
