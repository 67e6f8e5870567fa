package dev.flywheel.dynamodb;

import dev.flywheel.core.types.uptime.ChallengeLookup;
import dev.flywheel.core.types.uptime.IssuedChallenge;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

import static dev.flywheel.dynamodb.Attr.n;
import static dev.flywheel.dynamodb.Attr.num;
import static dev.flywheel.dynamodb.Attr.s;
import static dev.flywheel.dynamodb.Attr.str;

/**
 * Issued service challenges ({@code ChallengesTable}, HASH {@code challenge}): {@code deviceId},
 * {@code issuedAt} (Unix ms), optional {@code expectedResponse}, and once answered {@code answeredBy}
 * (the proof id). The answer claim is a conditional update, so one challenge has one answer however
 * many verifiers race; the same proof claiming again succeeds (redeliveries, retries).
 * Items expire {@code retention} after issue (TTL {@code expiresAt}, epoch seconds).
 */
public final class DynamoChallengeLedger implements ChallengeLookup {
    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");

    private final DynamoDbClient dynamo;
    private final String table;
    private final Duration retention;

    public DynamoChallengeLedger(DynamoDbClient dynamo, String table, Duration retention) {
        this.dynamo = Objects.requireNonNull(dynamo, "dynamo");
        this.table = Objects.requireNonNull(table, "table");
        if (retention.isNegative() || retention.isZero()) {
            throw new IllegalArgumentException("retention must be positive: " + retention);
        }
        this.retention = retention;
    }

    /** Records an issued challenge; false when that challenge was already issued (the first record stays). */
    public boolean issue(IssuedChallenge c) {
        if (!HEX64.matcher(c.challenge()).matches()) {
            throw new IllegalArgumentException("challenge must be 64 lowercase hex digits");
        }
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("challenge", s(c.challenge()));
        item.put("deviceId", s(c.deviceId()));
        item.put("issuedAt", n(c.issuedAt().toEpochMilli()));
        item.put("expiresAt", n(c.issuedAt().plus(retention).getEpochSecond()));
        c.expected().ifPresent(e -> item.put("expectedResponse", s(e)));
        try {
            dynamo.putItem(p -> p.tableName(table).item(item).conditionExpression("attribute_not_exists(challenge)"));
            return true;
        } catch (ConditionalCheckFailedException exists) {
            return false;
        }
    }

    @Override
    public Optional<IssuedChallenge> find(String challengeHex) {
        if (challengeHex == null || !HEX64.matcher(challengeHex).matches()) {
            return Optional.empty();
        }
        Map<String, AttributeValue> item = get(challengeHex);
        if (item == null) {
            return Optional.empty();
        }
        return Optional.of(new IssuedChallenge(challengeHex, str(item, "deviceId"),
                Instant.ofEpochMilli(num(item, "issuedAt")), str(item, "expectedResponse")));
    }

    /** @throws IllegalStateException when the challenge is gone (expired meanwhile): retried, it becomes unknown */
    @Override
    public Optional<String> claimAnswer(String challengeHex, String proofId) {
        try {
            dynamo.updateItem(u -> u.tableName(table).key(Map.of("challenge", s(challengeHex)))
                    .updateExpression("SET answeredBy = :p")
                    .conditionExpression("attribute_exists(challenge) AND (attribute_not_exists(answeredBy) OR answeredBy = :p)")
                    .expressionAttributeValues(Map.of(":p", s(proofId))));
            return Optional.empty();
        } catch (ConditionalCheckFailedException taken) {
            Map<String, AttributeValue> item = get(challengeHex);
            if (item == null) {
                throw new IllegalStateException("challenge " + challengeHex + " disappeared while being answered", taken);
            }
            return Optional.of(str(item, "answeredBy"));
        }
    }

    private Map<String, AttributeValue> get(String challengeHex) {
        Map<String, AttributeValue> item = dynamo.getItem(g -> g.tableName(table)
                .key(Map.of("challenge", s(challengeHex))).consistentRead(true)).item();
        return item == null || item.isEmpty() ? null : item;
    }
}
