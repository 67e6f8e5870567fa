package dev.flywheel.core.types.bandwidth;

import java.util.Objects;

/**
 * Port: the state bandwidth receipts need across proofs: which client sessions were credited and how many bytes each
 * client-node pair and each client used in a cap period. An adapter must make one claim one atomic write (the session
 * and both counters, or nothing), and a repeated claim by the same proof a success that changes nothing (redeliveries).
 */
@FunctionalInterface
public interface BandwidthSessions {

    /**
     * @param period    the cap period the receipt counts in (server receive time divided by the period length)
     * @param pairCap   most bytes one client may vouch for to one node in a period
     * @param clientCap most bytes one client may vouch for in a period, over all nodes
     */
    record Claim(String client, String session, String node, long period, long bytes, long pairCap, long clientCap,
                 String proofId) {
        public Claim {
            Objects.requireNonNull(client, "client");
            Objects.requireNonNull(session, "session");
            Objects.requireNonNull(node, "node");
            Objects.requireNonNull(proofId, "proofId");
        }
    }

    sealed interface Outcome {
        /** Credited: the session is this proof's and the counters include its bytes. */
        record Granted() implements Outcome {
        }

        /** Another proof already holds this client's session. */
        record SessionReused(String firstProofId) implements Outcome {
        }

        /** The pair's counter plus these bytes would pass the cap; nothing was written. */
        record PairCapExceeded(long usedBytes) implements Outcome {
        }

        /** The client's counter plus these bytes would pass the cap; nothing was written. */
        record ClientCapExceeded(long usedBytes) implements Outcome {
        }
    }

    Outcome claim(Claim claim);
}
