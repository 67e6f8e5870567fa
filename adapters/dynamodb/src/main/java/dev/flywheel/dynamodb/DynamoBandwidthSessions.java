package dev.flywheel.dynamodb;

import dev.flywheel.core.types.bandwidth.BandwidthSessions;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import static dev.flywheel.dynamodb.Attr.n;
import static dev.flywheel.dynamodb.Attr.num;
import static dev.flywheel.dynamodb.Attr.s;
import static dev.flywheel.dynamodb.Attr.str;

/**
 * {@link BandwidthSessions} in the challenges table (HASH {@code challenge}, TTL {@code expiresAt}), beside the uptime
 * challenges whose keys are 64 hex digits: {@code bw#s#<client>#<session>} holds the proof that used a session
 * ({@code proofId}), {@code bw#p#<period>#<client>#<node>} and {@code bw#c#<period>#<client>} the bytes used
 * ({@code usedBytes}). A claim is one transaction of three conditional updates, so the session and both counters move
 * together or not at all; a claim by the proof that already holds the session changes nothing and succeeds.
 * The verifier already may update this table (uptime answers), so no new table or permission is needed.
 */
public final class DynamoBandwidthSessions implements BandwidthSessions {
    private static final String KEY = "challenge";

    private final DynamoDbClient dynamo;
    private final String table;
    private final Duration retention;
    private final Clock clock;

    /** @param retention how long items live; at least the receipt age limit + window + cap period (default 2 days) */
    public DynamoBandwidthSessions(DynamoDbClient dynamo, String table, Duration retention, Clock clock) {
        this.dynamo = Objects.requireNonNull(dynamo, "dynamo");
        this.table = Objects.requireNonNull(table, "table");
        this.retention = Objects.requireNonNull(retention, "retention");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public Outcome claim(Claim c) {
        String sessionKey = "bw#s#" + c.client() + "#" + c.session();
        String pairKey = "bw#p#" + c.period() + "#" + c.client() + "#" + c.node();
        String clientKey = "bw#c#" + c.period() + "#" + c.client();
        AttributeValue expires = n(clock.instant().plus(retention).getEpochSecond());
        try {
            dynamo.transactWriteItems(t -> t.transactItems(
                    TransactWriteItem.builder().update(u -> u.tableName(table).key(Map.of(KEY, s(sessionKey)))
                            .updateExpression("SET proofId = :p, expiresAt = :x")
                            .conditionExpression("attribute_not_exists(" + KEY + ")")
                            .expressionAttributeValues(Map.of(":p", s(c.proofId()), ":x", expires))).build(),
                    counter(pairKey, c.bytes(), c.pairCap() - c.bytes(), expires),
                    counter(clientKey, c.bytes(), c.clientCap() - c.bytes(), expires)));
            return new Outcome.Granted();
        } catch (TransactionCanceledException e) {
            List<CancellationReason> reasons = e.cancellationReasons();
            if (failed(reasons, 0)) {
                String holder = str(get(sessionKey), "proofId");
                return c.proofId().equals(holder) ? new Outcome.Granted() : new Outcome.SessionReused(holder);
            }
            if (failed(reasons, 1)) {
                return new Outcome.PairCapExceeded(used(pairKey));
            }
            if (failed(reasons, 2)) {
                return new Outcome.ClientCapExceeded(used(clientKey));
            }
            // A conflict with a concurrent claim: the delivery is retried whole.
            throw e;
        }
    }

    private TransactWriteItem counter(String key, long bytes, long room, AttributeValue expires) {
        return TransactWriteItem.builder().update(u -> u.tableName(table).key(Map.of(KEY, s(key)))
                .updateExpression("ADD #u :b SET expiresAt = :x")
                .conditionExpression("attribute_not_exists(#u) OR #u <= :room")
                .expressionAttributeNames(Map.of("#u", "usedBytes"))
                .expressionAttributeValues(Map.of(":b", n(bytes), ":room", n(room), ":x", expires))).build();
    }

    private long used(String key) {
        Map<String, AttributeValue> item = get(key);
        return item.containsKey("usedBytes") ? num(item, "usedBytes") : 0;
    }

    private Map<String, AttributeValue> get(String key) {
        Map<String, AttributeValue> item = dynamo.getItem(g -> g.tableName(table).key(Map.of(KEY, s(key))).consistentRead(true)).item();
        return item == null ? Map.of() : item;
    }

    private static boolean failed(List<CancellationReason> reasons, int index) {
        return reasons != null && reasons.size() > index && "ConditionalCheckFailed".equals(reasons.get(index).code());
    }
}
