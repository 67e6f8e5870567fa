package dev.flywheel.device.sim;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * How {@link FleetSimulator#run} drives the fleet.
 *
 * @param maxConcurrentDevices devices connecting/publishing at the same time (connections already
 *                             made stay open until the end of the run)
 * @param connectTimeout       per device
 * @param operationTimeout     how long a publish waits for its PUBACK
 * @param receiptGrace         after the last PUBACK, how long to wait for outstanding receipts
 * @param proofInterval        pause between two proofs of the same device (zero: back to back,
 *                             each after the previous PUBACK)
 * @param firstSeq             sequence number of each device's first proof in this run
 * @param clock                device clock (proof time = clock.instant() when the proof is built)
 */
public record RunOptions(int maxConcurrentDevices, Duration connectTimeout, Duration operationTimeout,
                         Duration receiptGrace, Duration proofInterval, long firstSeq, Clock clock) {

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
    }

    public static RunOptions defaults() {
        return new RunOptions(32, Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(15),
                Duration.ZERO, 1, Clock.systemUTC());
    }

    public RunOptions withMaxConcurrentDevices(int n) {
        return new RunOptions(n, connectTimeout, operationTimeout, receiptGrace, proofInterval, firstSeq, clock);
    }

    public RunOptions withReceiptGrace(Duration d) {
        return new RunOptions(maxConcurrentDevices, connectTimeout, operationTimeout, d, proofInterval, firstSeq, clock);
    }

    public RunOptions withConnectTimeout(Duration d) {
        return new RunOptions(maxConcurrentDevices, d, operationTimeout, receiptGrace, proofInterval, firstSeq, clock);
    }

    public RunOptions withOperationTimeout(Duration d) {
        return new RunOptions(maxConcurrentDevices, connectTimeout, d, receiptGrace, proofInterval, firstSeq, clock);
    }

    public RunOptions withProofInterval(Duration d) {
        return new RunOptions(maxConcurrentDevices, connectTimeout, operationTimeout, receiptGrace, d, firstSeq, clock);
    }

    public RunOptions withFirstSeq(long seq) {
        return new RunOptions(maxConcurrentDevices, connectTimeout, operationTimeout, receiptGrace, proofInterval, seq, clock);
    }

    public RunOptions withClock(Clock c) {
        return new RunOptions(maxConcurrentDevices, connectTimeout, operationTimeout, receiptGrace, proofInterval, firstSeq, c);
    }
}
