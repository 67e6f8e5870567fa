package dev.flywheel.dynamodb;

import dev.flywheel.core.epoch.EpochClock;
import dev.flywheel.core.epoch.EpochLedger;
import dev.flywheel.core.epoch.EpochManifest;
import dev.flywheel.core.epoch.EpochSettler;
import dev.flywheel.core.epoch.RootPublication;
import dev.flywheel.testing.MotoTables;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A publication the chain blocks (a root conflict, a fee ceiling, a refusal) is raised once as an
 * alarm and leaves the epoch unsettled; later runs report it without raising it again, and once the
 * chain takes the root the epoch is settled. On moto's DynamoDB; the chain side is a stand-in here
 * (the outcomes themselves are produced on Anvil in RootPublisherFaultsIT).
 */
class EpochSettlerAlarmIT {
    @RegisterExtension
    static final MotoTables MOTO = new MotoTables();
    private static final EpochClock CLOCK = new EpochClock(Instant.parse("2026-01-01T00:00:00Z"), Duration.ofMinutes(1));
    private static DynamoDbClient dynamo;
    private static TableNames tables;

    @BeforeAll
    static void start() {
        dynamo = MOTO.dynamo();
        tables = MOTO.tables();
    }

    @Test
    void aBlockedEpochRaisesOneAlarmAndSettlesOnceTheChainTakesIt() {
        DynamoEpochLedger ledger = new DynamoEpochLedger(dynamo, tables, new DynamoProofLedger(dynamo, tables, CLOCK, Duration.ofDays(1)));
        String root = "0x" + "ab".repeat(32);
        assertTrue(ledger.beginClosing(0));
        ledger.markClosed(new EpochManifest(0, BigInteger.TEN, 1, BigInteger.TEN, BigInteger.ZERO, 1, 1, root, BigInteger.TEN,
                Instant.parse("2026-01-01T00:01:05Z"), "0x" + "cd".repeat(32)), -1);
        List<RootPublication.Result> answers = new ArrayList<>(List.of(
                new RootPublication.Blocked("CONFLICT", "epoch 0 is on chain with another root"),
                new RootPublication.Blocked("CONFLICT", "epoch 0 is on chain with another root"),
                new RootPublication.Published("0x" + "01".repeat(32))));
        List<String> manifestHashes = new ArrayList<>();
        EpochSettler settler = new EpochSettler(ledger, (epoch, rootHex, total, manifestHash) -> {
            manifestHashes.add(manifestHash);
            return answers.removeFirst();
        }, CLOCK, new DynamoSettlementAlarms(dynamo, tables.settlements()));

        EpochSettler.Settlement first = settler.settleLatest().orElseThrow();
        assertFalse(first.settled());
        assertTrue(first.alarmRaised(), "raised the first time");
        assertTrue(first.blocked().startsWith("CONFLICT: "));
        assertEquals(new EpochLedger.Cursor(0, -1), ledger.cursor(-1), "not settled");

        EpochSettler.Settlement second = settler.settleLatest().orElseThrow();
        assertFalse(second.settled());
        assertFalse(second.alarmRaised(), "not raised again");

        EpochSettler.Settlement third = settler.settleLatest().orElseThrow();
        assertTrue(third.settled());
        assertEquals(new EpochLedger.Cursor(0, 0), ledger.cursor(-1), "epoch 0 is publishable and now settled");
        assertEquals(List.of("0x" + "cd".repeat(32), "0x" + "cd".repeat(32), "0x" + "cd".repeat(32)), manifestHashes,
                "the manifest hash goes on chain with the root");
    }
}
