package dev.flywheel.core.verify;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Verifies and records a batch of deliveries; one bad message never affects the others. A batch's devices are worked
 * on concurrently ({@code parallelism} at a time), each device's deliveries in their batch order: a batch costs about
 * the time of its busiest device instead of the sum of all, and Lambda bills that wall time. Correctness never depends
 * on it: the ledger's writes are conditional per device.
 */
public final class VerificationService {
    private final ProofVerifier verifier;
    private final VerdictLedger ledger;
    private final int parallelism;

    public VerificationService(ProofVerifier verifier, VerdictLedger ledger) {
        this(verifier, ledger, 1);
    }

    public VerificationService(ProofVerifier verifier, VerdictLedger ledger, int parallelism) {
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be >= 1");
        }
        this.verifier = verifier;
        this.ledger = ledger;
        this.parallelism = parallelism;
    }

    /** Per delivery, the stored result or the infrastructure failure that must be retried. */
    public sealed interface Result {
        InboundProof delivery();

        record Done(InboundProof delivery, VerdictLedger.Recorded recorded) implements Result {
        }

        /** Storage failed (throttling, network): the delivery must come back, it was not recorded. */
        record Retry(InboundProof delivery, RuntimeException cause) implements Result {
        }
    }

    /** The results in batch order. */
    public List<Result> process(List<InboundProof> batch) {
        Map<String, List<Integer>> byDevice = new LinkedHashMap<>();
        for (int i = 0; i < batch.size(); i++) {
            byDevice.computeIfAbsent(batch.get(i).topicDeviceId(), d -> new ArrayList<>()).add(i);
        }
        Result[] results = new Result[batch.size()];
        try {
            verifier.prefetch(batch);
            ledger.prepare(batch);
        } catch (RuntimeException e) {
            // Only read-aheads: each delivery reads what it needs itself, and a real storage fault shows there.
        }
        if (parallelism == 1 || byDevice.size() == 1) {
            byDevice.values().forEach(indexes -> indexes.forEach(i -> results[i] = one(batch.get(i))));
            return Arrays.asList(results);
        }
        try (ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallelism, byDevice.size()),
                Thread.ofVirtual().name("verify-", 0).factory())) {
            List<Future<?>> futures = new ArrayList<>();
            for (List<Integer> indexes : byDevice.values()) {
                futures.add(pool.submit(() -> indexes.forEach(i -> results[i] = one(batch.get(i)))));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while verifying a batch", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("verification failed outside the ledger", e.getCause());
        }
        return Arrays.asList(results);
    }

    /**
     * How often a delivery is judged again at once when its device's state changed under it (another batch of the same
     * device ran concurrently); after that it goes back to the queue. Judging again here costs one read, a redelivery
     * costs the queue's visibility timeout (240 s in template.yaml).
     */
    static final int STALE_ATTEMPTS = 3;

    private Result one(InboundProof delivery) {
        for (int attempt = 1; ; attempt++) {
            try {
                // verify reads storage too (prior proofs, device records): a failure there is retried like a write's.
                Verdict verdict = verifier.verify(delivery);
                return new Result.Done(delivery, ledger.record(delivery, verdict));
            } catch (VerdictLedger.StaleVerdictException stale) {
                if (attempt >= STALE_ATTEMPTS) {
                    return new Result.Retry(delivery, stale);
                }
            } catch (RuntimeException storageFailure) {
                return new Result.Retry(delivery, storageFailure);
            }
        }
    }
}
