package dev.flywheel.dynamodb;

import dev.flywheel.testing.MotoTables;
import org.junit.jupiter.api.extension.RegisterExtension;
import dev.flywheel.core.types.uptime.IssuedChallenge;
import dev.flywheel.core.types.uptime.UptimeChallenges;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** DynamoChallengeLedger on a real moto_server, in the ChallengesTable that template.yaml declares. */
class DynamoChallengeLedgerIT {
    @RegisterExtension
    static final MotoTables MOTO = new MotoTables();
    private static final Instant AT = Instant.parse("2026-11-25T12:00:05Z");
    private static DynamoDbClient dynamo;
    private static TableNames tables;
    private static String challengeTable;
    private static DynamoChallengeLedger ledger;

    @BeforeAll
    static void createTables() {
        dynamo = MOTO.dynamo();
        tables = MOTO.tables();
        challengeTable = MOTO.table("challenges");
        ledger = new DynamoChallengeLedger(dynamo, challengeTable, Duration.ofHours(1));
    }

    @Test
    void issueFindAndClaimOnce() {
        String c = UptimeChallenges.derive("ab".repeat(32), 1, "node-1");
        IssuedChallenge issued = new IssuedChallenge(c, "node-1", AT, "cd".repeat(32));
        assertTrue(ledger.issue(issued));
        assertFalse(ledger.issue(new IssuedChallenge(c, "node-2", AT.plusSeconds(1), null)), "the first issue stays");
        assertEquals(Optional.of(issued), ledger.find(c));
        assertTrue(ledger.find("ef".repeat(32)).isEmpty());
        assertTrue(ledger.find("not hex").isEmpty());

        assertEquals(Optional.empty(), ledger.claimAnswer(c, "proof-a"));
        assertEquals(Optional.empty(), ledger.claimAnswer(c, "proof-a"), "the same proof again: idempotent");
        assertEquals(Optional.of("proof-a"), ledger.claimAnswer(c, "proof-b"));
        var item = dynamo.getItem(g -> g.tableName(challengeTable)
                .key(java.util.Map.of("challenge", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(c)))).item();
        assertEquals(AT.plusSeconds(3600).getEpochSecond(), Long.parseLong(item.get("expiresAt").n()));
    }

    /**
     * Eight verifiers that all found the challenge unanswered, then claim it one after another: the
     * interleaving a race produces. Only the condition expression keeps the later claims from
     * overwriting the first. The claims are not sent concurrently because moto_server does not make a
     * conditional update atomic against a concurrent one (two threads both passed the condition in CI);
     * DynamoDB does, and that atomicity is its guarantee, not this adapter's.
     */
    @Test
    void verifiersThatLoseTheRaceLearnTheWinner() {
        String c = UptimeChallenges.derive("ab".repeat(32), 2, "node-1");
        ledger.issue(new IssuedChallenge(c, "node-1", AT, null));
        List<IssuedChallenge> seen = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            seen.add(ledger.find(c).orElseThrow());
        }
        List<Optional<String>> results = new ArrayList<>();
        for (int i = 0; i < seen.size(); i++) {
            results.add(ledger.claimAnswer(seen.get(i).challenge(), "proof-" + i));
        }
        assertEquals(Optional.empty(), results.get(0), "the first claim wins");
        for (int i = 1; i < results.size(); i++) {
            assertEquals(Optional.of("proof-0"), results.get(i), "claim " + i + " learns the winner");
        }
        var item = dynamo.getItem(g -> g.tableName(challengeTable).consistentRead(true)
                .key(java.util.Map.of("challenge", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(c)))).item();
        assertEquals("proof-0", item.get("answeredBy").s(), "no later claim overwrote the winner");
    }

    @Test
    void claimingAChallengeThatIsGoneFails() {
        String c = UptimeChallenges.derive("ab".repeat(32), 3, "node-1");
        try {
            ledger.claimAnswer(c, "proof-x");
            throw new AssertionError("expected IllegalStateException");
        } catch (IllegalStateException expected) {
            assertTrue(ledger.find(c).isEmpty(), "no stub item was created");
        }
    }
}
