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
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

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

    @Test
    void racingAnswersHaveOneWinner() throws Exception {
        String c = UptimeChallenges.derive("ab".repeat(32), 2, "node-1");
        ledger.issue(new IssuedChallenge(c, "node-1", AT, null));
        try (var pool = Executors.newFixedThreadPool(8)) {
            List<Future<Optional<String>>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                String proof = "proof-" + i;
                results.add(pool.submit((Callable<Optional<String>>) () -> ledger.claimAnswer(c, proof)));
            }
            int winners = 0;
            for (var f : results) {
                if (f.get().isEmpty()) {
                    winners++;
                }
            }
            assertEquals(1, winners);
        }
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
