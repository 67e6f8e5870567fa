package dev.flywheel.core.trail;

import dev.flywheel.core.proof.ProofCodec;
import dev.flywheel.core.epoch.EpochClock;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Port: the accepted proofs credited to a device in an epoch, read back from the paper trail ({@code VerdictArchive}'s
 * objects, {@code verdicts/dt=<yyyy-MM-dd>/...}). The last link of the explorer's evidence chain for epochs whose proofs
 * have left the replay guard; the ledger keeps no per-proof item (that would double its write units per proof).
 * Adapters: a scan of the S3 objects (devnet scale) and an Athena query over the Glue table {@code verdicts} (AWS).
 */
public interface PaperTrailSearch {
    /** The most proofs one answer lists; a larger set is answered truncated (sorted by receive time, the first ones). */
    int CAP = 1_000;

    Answer acceptedProofs(Query query);

    /**
     * What to look for, and where. A batch's object sits under the day of its earliest receive time, and a batch can
     * straddle midnight or carry a proof received before the epoch (a late redelivery), so the days run from the day
     * before the epoch's start through the day of its end.
     */
    record Query(String deviceId, long epoch, LocalDate firstDay, LocalDate lastDay) {
        /** Checked here because the id is written into the SQL text: the protocol's thing-name alphabet only. */
        public Query {
            if (deviceId == null || !ProofCodec.DEVICE_ID.matcher(deviceId).matches()) {
                throw new IllegalArgumentException("a device id is 1-128 characters of [A-Za-z0-9:_-], got " + deviceId);
            }
            if (lastDay.isBefore(firstDay)) {
                throw new IllegalArgumentException("day range " + firstDay + ".." + lastDay + " is empty");
            }
        }

        public static Query of(String deviceId, long epoch, EpochClock clock) {
            LocalDate first = LocalDate.ofInstant(clock.start(epoch).minus(Duration.ofDays(1)), ZoneOffset.UTC);
            LocalDate last = LocalDate.ofInstant(clock.end(epoch), ZoneOffset.UTC);
            return new Query(deviceId, epoch, first, last);
        }

        /** Every {@code dt} partition of the range, oldest first. */
        public List<LocalDate> days() {
            return firstDay.datesUntil(lastDay.plusDays(1)).toList();
        }

        /**
         * The Athena query over the Glue table {@code verdicts} (database {@code <stack>_paper_trail}): a redelivered
         * batch writes a verdict's line again, with the same values but {@code firstrecording}, hence DISTINCT; one row
         * more than {@link #CAP} tells a truncated answer.
         */
        public String sql() {
            return "SELECT DISTINCT deliveryid, proofid, seq, prooftype, units, receivedat FROM verdicts WHERE dt BETWEEN '"
                    + firstDay + "' AND '" + lastDay + "' AND device = '" + deviceId + "' AND epoch = " + epoch
                    + " AND outcome = 'accepted' ORDER BY receivedat, deliveryid LIMIT " + (CAP + 1);
        }
    }

    /** One accepted proof as the trail recorded it. */
    record AcceptedProof(String deliveryId, String proofId, long seq, String proofType, long units, Instant receivedAt) {
    }

    /** A trail line that matched the query, before redeliveries are folded: {@code firstRecording} marks the original. */
    record Line(AcceptedProof proof, boolean firstRecording) {
    }

    /** The answer: found, still running when the caller's time ran out, or failed with the store's reason. */
    sealed interface Answer permits Found, Running, Failed {
    }

    /** The proofs sorted by receive time (then delivery id), at most {@link #CAP}; {@code truncated} when more matched. */
    record Found(List<AcceptedProof> proofs, boolean truncated) implements Answer {
        public Found {
            proofs = List.copyOf(proofs);
        }

        public long units() {
            return proofs.stream().mapToLong(AcceptedProof::units).sum();
        }
    }

    /** The search is still running (Athena): asking again soon returns its answer. */
    record Running(String searchId, Duration retryAfter, String detail) implements Answer {
    }

    /** The search failed: {@code reason} is the store's own words. */
    record Failed(String searchId, String reason) implements Answer {
    }

    /**
     * Folds redelivered lines (one per delivery id, the first recording preferred), sorts by receive time then delivery
     * id, and caps at {@link #CAP}.
     */
    static Found fold(Collection<Line> lines) {
        Map<String, Line> byDelivery = new LinkedHashMap<>();
        for (Line line : lines) {
            byDelivery.merge(line.proof().deliveryId(), line, (kept, next) -> kept.firstRecording() ? kept : next);
        }
        List<AcceptedProof> sorted = new ArrayList<>(byDelivery.size());
        byDelivery.values().forEach(l -> sorted.add(l.proof()));
        sorted.sort(Comparator.comparing(AcceptedProof::receivedAt).thenComparing(AcceptedProof::deliveryId));
        boolean truncated = sorted.size() > CAP;
        return new Found(truncated ? sorted.subList(0, CAP) : sorted, truncated);
    }
}
