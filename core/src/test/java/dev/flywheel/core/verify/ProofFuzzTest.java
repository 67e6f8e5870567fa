package dev.flywheel.core.verify;

import dev.flywheel.core.crypto.DeviceSigningKey;
import dev.flywheel.core.crypto.SignatureScheme;
import dev.flywheel.core.proof.DeviceRecord;
import dev.flywheel.core.proof.DeviceStatus;
import dev.flywheel.core.proof.PlausibilityChecks;
import dev.flywheel.core.proof.ProofCodec;
import dev.flywheel.core.proof.ReasonCode;
import dev.flywheel.core.types.sensor.SensorReading;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A seeded fuzz test of the message parser and the verifier (Jazzer is not in this machine's Maven mirror): valid
 * signed proofs of every scheme, mutated at the byte level (flips, truncation, insertion, deletion, splicing two
 * proofs) and at the JSON level (members dropped, duplicated, retyped, huge, unicode), plus raw random bytes, go
 * through {@link VerificationService} into a recording ledger. Fails on any exception out of the verifier or the
 * parser (a crash), on a delivery without a recorded verdict, and on a rejection without a reason code.
 *
 * <p>Bounded in the tests (3,000 messages); longer on demand:
 * {@code mvn -pl core test -Dtest=ProofFuzzTest -Dflywheel.fuzz.iterations=1000000 -Dflywheel.fuzz.seed=42}.
 */
class ProofFuzzTest {
    private static final int ITERATIONS = Integer.getInteger("flywheel.fuzz.iterations", 3_000);
    private static final long SEED = Long.getLong("flywheel.fuzz.seed", System.nanoTime());
    private static final Instant RECEIVED = Instant.parse("2026-11-30T12:00:00Z");
    private static final String H3 = "8b2a100d2d1bfff";

    @Test
    void everyMutatedMessageGetsExactlyOneRecordedVerdictAndNothingCrashes() {
        System.out.printf("[fuzz] seed %d, %d messages (-Dflywheel.fuzz.seed=%d reproduces)%n", SEED, ITERATIONS, SEED);
        Random rnd = new Random(SEED);
        Map<String, DeviceRecord> registry = new HashMap<>();
        List<byte[]> seeds = new ArrayList<>();
        List<String> devices = new ArrayList<>();
        int n = 0;
        for (SignatureScheme scheme : SignatureScheme.values()) {
            String id = "fuzz-" + scheme.name().toLowerCase() + "-" + n++;
            DeviceSigningKey key = key(scheme, rnd.nextLong());
            registry.put(id, new DeviceRecord(id, scheme, key.publicKey(), "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266",
                    DeviceStatus.ACTIVE, H3));
            devices.add(id);
            for (int seq = 1; seq <= 3; seq++) {
                seeds.add(ProofCodec.encode(id, seq, RECEIVED.minusMillis(500), H3,
                        new SensorReading("temperature", 20 + seq, "celsius"), key));
            }
        }
        ProofVerifier verifier = new ProofVerifier(id -> Optional.ofNullable(registry.get(id)), id -> false,
                VerificationPolicy.defaults(), PlausibilityChecks.defaults());
        Map<String, Verdict> recorded = new ConcurrentHashMap<>();
        VerdictLedger ledger = (delivery, verdict) -> {
            if (recorded.putIfAbsent(delivery.deliveryId(), verdict) != null) {
                fail("delivery " + delivery.deliveryId() + " recorded twice");
            }
            return new VerdictLedger.Recorded(VerdictLedger.Outcome.RECORDED, verdict, 0);
        };
        VerificationService service = new VerificationService(verifier, ledger, 4);

        Map<String, Integer> byOutcome = new TreeMap<>();
        int batchSize = 100;
        for (int done = 0; done < ITERATIONS; done += batchSize) {
            List<InboundProof> batch = new ArrayList<>();
            Map<String, byte[]> inputs = new HashMap<>();
            for (int i = 0; i < Math.min(batchSize, ITERATIONS - done); i++) {
                byte[] payload = mutate(rnd, seeds);
                String topicDevice = rnd.nextInt(10) == 0 ? "someone-else" : devices.get(rnd.nextInt(devices.size()));
                String deliveryId = "d-" + (done + i);
                inputs.put(deliveryId, payload);
                batch.add(new InboundProof(deliveryId, topicDevice, RECEIVED, payload));
            }
            List<VerificationService.Result> results;
            try {
                results = service.process(batch);
            } catch (RuntimeException crash) {
                throw new AssertionError("the verifier crashed on a batch (seed " + SEED + ")", crash);
            }
            assertEquals(batch.size(), results.size());
            for (VerificationService.Result r : results) {
                String id = r.delivery().deliveryId();
                if (r instanceof VerificationService.Result.Retry retry) {
                    throw new AssertionError("delivery " + id + " not recorded (seed " + SEED + "), input "
                            + printable(inputs.get(id)), retry.cause());
                }
                Verdict v = recorded.get(id);
                assertNotNull(v, "delivery " + id + " has no recorded verdict");
                String key = switch (v) {
                    case Verdict.Accepted a -> "accepted";
                    case Verdict.Rejected rej -> {
                        assertNotNull(rej.reason(), "rejection without a reason for input " + printable(inputs.get(id)));
                        assertTrue(rej.detail() != null && !rej.detail().isBlank(), "rejection without detail");
                        yield rej.reason().wire();
                    }
                };
                byOutcome.merge(key, 1, Integer::sum);
            }
        }
        assertEquals(ITERATIONS, recorded.size(), "one verdict per delivery");
        System.out.printf("[fuzz] %d messages, %d verdicts: %s%n", ITERATIONS, recorded.size(), byOutcome);
    }

    private static DeviceSigningKey key(SignatureScheme scheme, long seed) {
        try {
            SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
            random.setSeed(seed);
            return DeviceSigningKey.generate(scheme, random);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final String[] JSON_BITS = {"null", "true", "-0", "1e309", "\"\"", "[]", "{}", "\"\\u0000\"",
            "\"\\ud800\"", "9223372036854775808", "-1", "0.5", "\"x\"", "{\"a\":{\"a\":{\"a\":[]}}}", "\"é\"", ","};

    /** One fuzz input derived from a valid proof (or pure noise). */
    static byte[] mutate(Random rnd, List<byte[]> seeds) {
        byte[] base = seeds.get(rnd.nextInt(seeds.size())).clone();
        return switch (rnd.nextInt(10)) {
            case 0 -> { // flip bits
                for (int k = 0, flips = 1 + rnd.nextInt(4); k < flips; k++) {
                    base[rnd.nextInt(base.length)] ^= (byte) (1 << rnd.nextInt(8));
                }
                yield base;
            }
            case 1 -> java.util.Arrays.copyOf(base, rnd.nextInt(base.length)); // truncate
            case 2 -> splice(base, rnd.nextInt(base.length), randomBytes(rnd, 1 + rnd.nextInt(8)));
            case 3 -> { // delete a run
                int at = rnd.nextInt(base.length);
                int len = Math.min(base.length - at, 1 + rnd.nextInt(16));
                byte[] out = new byte[base.length - len];
                System.arraycopy(base, 0, out, 0, at);
                System.arraycopy(base, at + len, out, at, base.length - at - len);
                yield out;
            }
            case 4 -> { // splice two proofs
                byte[] other = seeds.get(rnd.nextInt(seeds.size()));
                int cut = rnd.nextInt(Math.min(base.length, other.length));
                byte[] out = java.util.Arrays.copyOf(base, base.length);
                System.arraycopy(other, cut, out, cut, Math.min(other.length, out.length) - cut);
                yield out;
            }
            case 5 -> randomBytes(rnd, rnd.nextInt(300));
            case 6 -> { // replace a JSON value with an odd one
                String s = new String(base, StandardCharsets.UTF_8);
                int colon = s.indexOf(':', rnd.nextInt(Math.max(1, s.length())));
                if (colon < 0) {
                    yield base;
                }
                int end = colon + 1;
                while (end < s.length() && ",}]".indexOf(s.charAt(end)) < 0) {
                    end++;
                }
                yield (s.substring(0, colon + 1) + JSON_BITS[rnd.nextInt(JSON_BITS.length)] + s.substring(end))
                        .getBytes(StandardCharsets.UTF_8);
            }
            case 7 -> { // duplicate a member / add one
                String s = new String(base, StandardCharsets.UTF_8);
                int brace = s.indexOf('{');
                yield brace < 0 ? base : (s.substring(0, brace + 1) + "\"seq\":" + JSON_BITS[rnd.nextInt(JSON_BITS.length)]
                        + "," + s.substring(brace + 1)).getBytes(StandardCharsets.UTF_8);
            }
            case 8 -> { // a huge string member
                String s = new String(base, StandardCharsets.UTF_8);
                int brace = s.indexOf('{');
                yield brace < 0 ? base : (s.substring(0, brace + 1) + "\"pad\":\"" + "A".repeat(rnd.nextInt(20_000)) + "\","
                        + s.substring(brace + 1)).getBytes(StandardCharsets.UTF_8);
            }
            default -> base; // an intact proof, possibly delivered on another device's topic or twice
        };
    }

    private static byte[] splice(byte[] base, int at, byte[] insert) {
        byte[] out = new byte[base.length + insert.length];
        System.arraycopy(base, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(base, at, out, at + insert.length, base.length - at);
        return out;
    }

    private static byte[] randomBytes(Random rnd, int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }

    private static String printable(byte[] input) {
        String s = new String(input, StandardCharsets.UTF_8);
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }
}
