package dev.flywheel.device.sim;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * How {@link FleetSimulator#run} drives the fleet.
 *
 * @param maxConcurrentDevices  devices connecting/publishing at the same time (connections already
 *                              made stay open until the end of the run)
 * @param connectTimeout        per connection attempt
 * @param operationTimeout      how long a publish waits for its PUBACK
 * @param receiptGrace          after the last PUBACK, how long to wait for outstanding receipts
 * @param proofInterval         pause between two proofs of the same device (zero: back to back,
 *                              each after the previous PUBACK)
 * @param firstSeq              sequence number of each device's first proof in this run
 * @param clock                 device clock (proof time = clock.instant() when the proof is built)
 * @param connectAttempts       attempts per device before it counts as a connect failure; between attempts the
 *                              device backs off 1 s, 2 s, 4 s ... (capped at 8 s) plus jitter, as a real device's
 *                              firmware does, so a broker busy with a burst of TLS handshakes is not hammered
 * @param maxConcurrentConnects connection attempts in flight at once (pacing of the TLS handshakes), at most
 *                              {@code maxConcurrentDevices}
 * @param publishStart          null: each device publishes as soon as it is connected; else no device publishes
 *                              before this instant, and each starts at a random offset within one
 *                              {@code proofInterval} after it, so a fixed-time load run has the whole fleet
 *                              connected and its publishes spread evenly
 */
public record RunOptions(int maxConcurrentDevices, Duration connectTimeout, Duration operationTimeout,
                         Duration receiptGrace, Duration proofInterval, long firstSeq, Clock clock,
                         int connectAttempts, int maxConcurrentConnects, Instant publishStart) {

    public RunOptions {
        if (maxConcurrentDevices < 1) {
            throw new IllegalArgumentException("maxConcurrentDevices must be >= 1");
        }
        Objects.requireNonNull(connectTimeout);
        Objects.requireNonNull(operationTimeout);
        Objects.requireNonNull(receiptGrace);
        Objects.requireNonNull(proofInterval);
        Objects.requireNonNull(clock);
        if (firstSeq < 0) {
            throw new IllegalArgumentException("firstSeq must be >= 0");
        }
        if (connectAttempts < 1) {
            throw new IllegalArgumentException("connectAttempts must be >= 1");
        }
        if (maxConcurrentConnects < 1) {
            throw new IllegalArgumentException("maxConcurrentConnects must be >= 1");
        }
    }

    /** 32 devices at a time, 20 s per connect attempt and 3 attempts, 30 s per PUBACK, 15 s receipt grace. */
    public static RunOptions defaults() {
        return new RunOptions(32, Duration.ofSeconds(20), Duration.ofSeconds(30), Duration.ofSeconds(15),
                Duration.ZERO, 1, Clock.systemUTC(), 3, 32, null);
    }

    public RunOptions withMaxConcurrentDevices(int n) {
        return new RunOptions(n, connectTimeout, operationTimeout, receiptGrace, proofInterval, firstSeq, clock,
                connectAttempts, Math.min(n, maxConcurrentConnects), publishStart);
    }

    public RunOptions withReceiptGrace(Duration d) {
        return new RunOptions(maxConcurrentDevices, connectTimeout, operationTimeout, d, proofInterval, firstSeq, clock,
                connectAttempts, maxConcurrentConnects, publishStart);
    }

    public RunOptions withConnectTimeout(Duration d) {
        return new RunOptions(maxConcurrentDevices, d, operationTimeout, receiptGrace, proofInterval, firstSeq, clock,
                connectAttempts, maxConcurrentConnects, publishStart);
    }

    public RunOptions withOperationTimeout(Duration d) {
        return new RunOptions(maxConcurrentDevices, connectTimeout, d, receiptGrace, proofInterval, firstSeq, clock,
                connectAttempts, maxConcurrentConnects, publishStart);
    }

    public RunOptions withProofInterval(Duration d) {
        return new RunOptions(maxConcurrentDevices, connectTimeout, operationTimeout, receiptGrace, d, firstSeq, clock,
                connectAttempts, maxConcurrentConnects, publishStart);
    }

    public RunOptions withFirstSeq(long seq) {
        return new RunOptions(maxConcurrentDevices, connectTimeout, operationTimeout, receiptGrace, proofInterval, seq, clock,
                connectAttempts, maxConcurrentConnects, publishStart);
    }

    public RunOptions withClock(Clock c) {
        return new RunOptions(maxConcurrentDevices, connectTimeout, operationTimeout, receiptGrace, proofInterval, firstSeq, c,
                connectAttempts, maxConcurrentConnects, publishStart);
    }

    public RunOptions withConnectAttempts(int n) {
        return new RunOptions(maxConcurrentDevices, connectTimeout, operationTimeout, receiptGrace, proofInterval, firstSeq, clock,
                n, maxConcurrentConnects, publishStart);
    }

    public RunOptions withMaxConcurrentConnects(int n) {
        return new RunOptions(maxConcurrentDevices, connectTimeout, operationTimeout, receiptGrace, proofInterval, firstSeq, clock,
                connectAttempts, n, publishStart);
    }

    public RunOptions withPublishStart(Instant start) {
        return new RunOptions(maxConcurrentDevices, connectTimeout, operationTimeout, receiptGrace, proofInterval, firstSeq, clock,
                connectAttempts, maxConcurrentConnects, start);
    }
}
