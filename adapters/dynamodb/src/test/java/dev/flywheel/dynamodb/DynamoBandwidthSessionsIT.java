package dev.flywheel.dynamodb;

import dev.flywheel.core.types.bandwidth.BandwidthSessions.Claim;
import dev.flywheel.core.types.bandwidth.BandwidthSessions.Outcome;
import dev.flywheel.core.types.bandwidth.InMemoryBandwidthSessions;
import dev.flywheel.testing.MotoTables;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * DynamoBandwidthSessions on a real moto_server, in the ChallengesTable that template.yaml declares: the same
 * sequence of claims gets the same outcomes as the in-memory reference store, and a repeated claim by the holder of a
 * session succeeds without moving the counters.
 */
class DynamoBandwidthSessionsIT {
    @RegisterExtension
    static final MotoTables MOTO = new MotoTables();
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-25T12:00:00Z"), ZoneOffset.UTC);
    private static final long GB = 1_000_000_000L;

    @Test
    void claimsMatchTheReferenceStoreIncludingCapsReusesAndRedeliveries() {
        var dynamo = new DynamoBandwidthSessions(MOTO.dynamo(), MOTO.table("challenges"), Duration.ofDays(2), CLOCK);
        var reference = new InMemoryBandwidthSessions();
        String client = "client-" + UUID.randomUUID().toString().substring(0, 8);
        long period = 20_417;
        List<Claim> claims = List.of(
                claim(client, "s1", "node-a", period, 3 * GB, "p1"),
                claim(client, "s1", "node-a", period, 3 * GB, "p1"),   // the same proof again: a redelivery
                claim(client, "s1", "node-a", period, GB, "p2"),       // another proof, same session
                claim(client, "s2", "node-a", period, 3 * GB, "p3"),   // pair: 3 + 3 > 5
                claim(client, "s3", "node-a", period, 2 * GB, "p4"),   // pair: 3 + 2 = 5, exactly the cap
                claim(client, "s4", "node-b", period, 2 * GB, "p5"),   // client: 5 + 2 > 6
                claim(client, "s5", "node-b", period, GB, "p6"),       // client: 5 + 1 = 6
                claim(client, "s6", "node-a", period + 1, 5 * GB, "p7")); // a new period starts from zero
        List<Outcome> expected = List.of(new Outcome.Granted(), new Outcome.Granted(), new Outcome.SessionReused("p1"),
                new Outcome.PairCapExceeded(3 * GB), new Outcome.Granted(), new Outcome.ClientCapExceeded(5 * GB),
                new Outcome.Granted(), new Outcome.Granted());
        assertEquals(expected, claims.stream().map(reference::claim).toList(), "the reference store");
        assertEquals(expected, claims.stream().map(dynamo::claim).toList(), "DynamoDB");
    }

    private static Claim claim(String client, String session, String node, long period, long bytes, String proofId) {
        return new Claim(client, session, node, period, bytes, 5 * GB, 6 * GB, proofId);
    }
}
