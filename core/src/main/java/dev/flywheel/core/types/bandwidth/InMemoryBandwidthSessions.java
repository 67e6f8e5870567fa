package dev.flywheel.core.types.bandwidth;

import java.util.HashMap;
import java.util.Map;

/**
 * {@link BandwidthSessions} in one process's memory: the reference behaviour the DynamoDB adapter must match, for
 * tests, vectors and single-process stand-ins. Nothing expires.
 */
public final class InMemoryBandwidthSessions implements BandwidthSessions {
    private final Map<String, String> sessions = new HashMap<>();
    private final Map<String, Long> used = new HashMap<>();

    @Override
    public synchronized Outcome claim(Claim c) {
        String sessionKey = c.client() + "#" + c.session();
        String holder = sessions.get(sessionKey);
        if (holder != null) {
            return holder.equals(c.proofId()) ? new Outcome.Granted() : new Outcome.SessionReused(holder);
        }
        String pairKey = c.period() + "#" + c.client() + "#" + c.node();
        String clientKey = c.period() + "#" + c.client();
        long pair = used.getOrDefault(pairKey, 0L);
        if (pair + c.bytes() > c.pairCap()) {
            return new Outcome.PairCapExceeded(pair);
        }
        long client = used.getOrDefault(clientKey, 0L);
        if (client + c.bytes() > c.clientCap()) {
            return new Outcome.ClientCapExceeded(client);
        }
        sessions.put(sessionKey, c.proofId());
        used.put(pairKey, pair + c.bytes());
        used.put(clientKey, client + c.bytes());
        return new Outcome.Granted();
    }
}
