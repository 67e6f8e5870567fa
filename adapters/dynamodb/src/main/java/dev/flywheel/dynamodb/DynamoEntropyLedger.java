package dev.flywheel.dynamodb;

import dev.flywheel.core.entropy.EntropyLookup;
import dev.flywheel.core.entropy.NetworkEntropy;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import static dev.flywheel.dynamodb.Attr.n;
import static dev.flywheel.dynamodb.Attr.num;
import static dev.flywheel.dynamodb.Attr.s;
import static dev.flywheel.dynamodb.Attr.str;

/**
 * The network's published entropy ({@code EntropyTable}, HASH {@code entropy}). Two items per period,
 * written together in one conditional transaction:
 * <ul>
 *   <li>the value: {@code entropy = <64 hex>}, {@code issuedAt} (Unix ms, the period start), {@code period},
 *       {@code blockHash}, {@code blockNumber}: what {@link #issuedAt} finds;</li>
 *   <li>the period claim: {@code entropy = "period#<n>"} naming the value, so a period gets exactly one
 *       value even when two runs (a retry, an overlap) read different blocks.</li>
 * </ul>
 * Both expire {@code retention} after the period start (TTL {@code expiresAt}, epoch seconds).
 */
public final class DynamoEntropyLedger implements EntropyLookup {
    private static final String PERIOD_PREFIX = "period#";

    private final DynamoDbClient dynamo;
    private final String table;
    private final Duration retention;

    /** What {@link #record} did: the period's value, and whether this call created it. */
    public record Recorded(NetworkEntropy entropy, boolean created) {
    }

    public DynamoEntropyLedger(DynamoDbClient dynamo, String table, Duration retention) {
        this.dynamo = Objects.requireNonNull(dynamo, "dynamo");
        this.table = Objects.requireNonNull(table, "table");
        if (retention.isNegative() || retention.isZero()) {
            throw new IllegalArgumentException("retention must be positive: " + retention);
        }
        this.retention = retention;
    }

    /** One day: far beyond every entropy window, short enough that the table stays small. */
    public static DynamoEntropyLedger withDefaultRetention(DynamoDbClient dynamo, String table) {
        return new DynamoEntropyLedger(dynamo, table, Duration.ofDays(1));
    }

    /**
     * Stores {@code entropy} as its period's value unless the period already has one; idempotent.
     *
     * @return the value the period has now: {@code entropy} itself (created, or stored before) or an earlier run's
     */
    public Recorded record(NetworkEntropy entropy) {
        long expiresAt = entropy.issuedAt().plus(retention).getEpochSecond();
        Map<String, AttributeValue> value = new HashMap<>();
        value.put("entropy", s(entropy.entropyHex()));
        value.put("issuedAt", n(entropy.issuedAt().toEpochMilli()));
        value.put("period", n(entropy.period()));
        value.put("blockHash", s(entropy.blockHashHex()));
        value.put("blockNumber", n(entropy.blockNumber()));
        value.put("expiresAt", n(expiresAt));
        Map<String, AttributeValue> claim = Map.of(
                "entropy", s(PERIOD_PREFIX + entropy.period()),
                "value", s(entropy.entropyHex()),
                "issuedAt", n(entropy.issuedAt().toEpochMilli()),
                "expiresAt", n(expiresAt));
        try {
            dynamo.transactWriteItems(t -> t.transactItems(
                    i -> i.put(p -> p.tableName(table).item(claim).conditionExpression("attribute_not_exists(entropy)")),
                    i -> i.put(p -> p.tableName(table).item(value).conditionExpression("attribute_not_exists(entropy)"))));
            return new Recorded(entropy, true);
        } catch (TransactionCanceledException e) {
            boolean conditionFailed = e.cancellationReasons().stream().map(CancellationReason::code)
                    .anyMatch("ConditionalCheckFailed"::equals);
            if (!conditionFailed) {
                throw e;
            }
            NetworkEntropy existing = forPeriod(entropy.period()).orElseThrow(() -> new IllegalStateException(
                    "period " + entropy.period() + " is claimed but its entropy cannot be read", e));
            return new Recorded(existing, false);
        }
    }

    /** The value of a period, if one was recorded (and has not expired yet). */
    public Optional<NetworkEntropy> forPeriod(long period) {
        Map<String, AttributeValue> claim = get(PERIOD_PREFIX + period);
        return claim == null ? Optional.empty() : find(str(claim, "value"));
    }

    /** The stored value with this hex, if any. */
    public Optional<NetworkEntropy> find(String entropyHex) {
        if (entropyHex == null || !NetworkEntropy.HEX.matcher(entropyHex).matches()) {
            return Optional.empty(); // also keeps "period#..." keys out of reach
        }
        Map<String, AttributeValue> item = get(entropyHex);
        if (item == null) {
            return Optional.empty();
        }
        return Optional.of(new NetworkEntropy(entropyHex, Instant.ofEpochMilli(num(item, "issuedAt")), num(item, "period"),
                str(item, "blockHash"), num(item, "blockNumber")));
    }

    @Override
    public Optional<Instant> issuedAt(String entropyHex) {
        return find(entropyHex).map(NetworkEntropy::issuedAt);
    }

    private Map<String, AttributeValue> get(String key) {
        Map<String, AttributeValue> item = dynamo.getItem(g -> g.tableName(table).key(Map.of("entropy", s(key)))
                .consistentRead(true)).item();
        return item == null || item.isEmpty() ? null : item;
    }
}
