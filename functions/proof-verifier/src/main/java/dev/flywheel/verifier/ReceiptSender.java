package dev.flywheel.verifier;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends the receipts of one batch, best effort: the verdicts are already stored, so a receipt that
 * cannot be published is logged and dropped and never fails the batch (a lost receipt loses no credit).
 * The receipts of a batch go out concurrently on a small fixed pool, so 100 receipts cost about
 * 100 / concurrency HTTP round trips instead of 100, and the whole send is bounded by a deadline.
 */
public final class ReceiptSender implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReceiptSender.class);

    /** What one {@link #send} did. */
    public record Summary(int sent, int failed) {
        public static final Summary NONE = new Summary(0, 0);
    }

    private final ReceiptPublisher publisher;
    private final ObjectMapper json;
    private final int concurrency;
    private final Duration deadline;
    private volatile ExecutorService pool;

    /**
     * @param publisher   null: receipts are off ({@link #send} does nothing)
     * @param json        writes the receipts (the context's mapper)
     * @param concurrency publishes in flight at once
     * @param deadline    longest a batch waits for its receipts; unfinished ones are abandoned and counted failed
     */
    public ReceiptSender(ReceiptPublisher publisher, ObjectMapper json, int concurrency, Duration deadline) {
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be >= 1");
        }
        this.publisher = publisher;
        this.json = json;
        this.concurrency = concurrency;
        this.deadline = deadline;
    }

    public static ReceiptSender disabled() {
        return new ReceiptSender(null, null, 1, Duration.ZERO);
    }

    public boolean enabled() {
        return publisher != null;
    }

    public Summary send(List<VerdictReceipt> receipts) {
        if (publisher == null || receipts.isEmpty()) {
            return Summary.NONE;
        }
        AtomicInteger failed = new AtomicInteger();
        List<Future<?>> futures = new ArrayList<>(receipts.size());
        ExecutorService executor = pool();
        for (VerdictReceipt receipt : receipts) {
            futures.add(executor.submit(() -> {
                try {
                    publisher.publish(receipt.topic(), receipt.json(json));
                } catch (RuntimeException e) {
                    failed.incrementAndGet();
                    LOG.warn("receipt for {} (seq {}) not published: {}", receipt.thing(), receipt.seq(), e.toString());
                }
            }));
        }
        long end = System.nanoTime() + deadline.toNanos();
        int abandoned = 0;
        for (Future<?> f : futures) {
            try {
                f.get(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException | CancellationException e) {
                f.cancel(true);
                abandoned++;
            } catch (ExecutionException e) {
                failed.incrementAndGet(); // not reached: the task catches its own failures
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                futures.forEach(x -> x.cancel(true));
                break;
            }
        }
        if (abandoned > 0) {
            LOG.warn("{} of {} receipts not published within {}", abandoned, receipts.size(), deadline);
        }
        // A task abandoned at the deadline may still count itself failed when interrupted: clamp.
        int notSent = Math.min(receipts.size(), failed.get() + abandoned);
        Summary summary = new Summary(receipts.size() - notSent, notSent);
        LOG.debug("receipts: {}", summary);
        return summary;
    }

    /** Created on first use: after a SnapStart restore, not in the snapshot. */
    private ExecutorService pool() {
        ExecutorService p = pool;
        if (p == null) {
            synchronized (this) {
                p = pool;
                if (p == null) {
                    AtomicInteger n = new AtomicInteger();
                    p = Executors.newFixedThreadPool(concurrency, r -> {
                        Thread t = new Thread(r, "receipt-publisher-" + n.incrementAndGet());
                        t.setDaemon(true);
                        return t;
                    });
                    pool = p;
                }
            }
        }
        return p;
    }

    @Override
    public void close() {
        ExecutorService p = pool;
        if (p != null) {
            p.shutdownNow();
        }
        if (publisher instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                LOG.debug("closing the receipt publisher: {}", e.toString());
            }
        }
    }
}
