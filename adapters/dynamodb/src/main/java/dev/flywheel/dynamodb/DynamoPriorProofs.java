package dev.flywheel.dynamodb;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.core.json.CanonicalJson;
import dev.flywheel.core.json.InvalidJsonException;
import dev.flywheel.core.proof.MalformedProofException;
import dev.flywheel.core.proof.ProofTypes;
import dev.flywheel.core.proof.SensorReading;
import dev.flywheel.core.verify.PriorProof;
import dev.flywheel.core.verify.PriorProofs;
import dev.flywheel.core.verify.Verdict;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import static dev.flywheel.dynamodb.Attr.n;
import static dev.flywheel.dynamodb.Attr.num;
import static dev.flywheel.dynamodb.Attr.s;
import static dev.flywheel.dynamodb.Attr.str;

/**
 * Each device's last accepted proof per type ({@code L#<deviceId> / T#<type>} in the proof ledger),
 * for checks across proofs. Only a higher sequence number replaces it, so a late-arriving older
 * proof never rewinds the state. {@code repeats} counts how many accepted proofs just before it had the
 * same canonical body (stuck values); an accepted {@code sensor.reading} also updates the device's
 * neighbour reading ({@link DynamoNeighbourReadings}).
 */
public final class DynamoPriorProofs implements PriorProofs {
    private static final int ATTEMPTS = 5;

    private final DynamoDbClient dynamo;
    private final String table;
    private final DynamoNeighbourReadings neighbours;

    public DynamoPriorProofs(DynamoDbClient dynamo, TableNames tables) {
        this(dynamo, tables, new DynamoNeighbourReadings(dynamo, tables));
    }

    public DynamoPriorProofs(DynamoDbClient dynamo, TableNames tables, DynamoNeighbourReadings neighbours) {
        this.dynamo = dynamo;
        this.table = tables.ledger();
        this.neighbours = neighbours;
    }

    @Override
    public Optional<PriorProof> last(String deviceId, String type) {
        Map<String, AttributeValue> item = dynamo.getItem(g -> g.tableName(table).key(key(deviceId, type)).consistentRead(true)).item();
        if (item == null || item.isEmpty()) {
            return Optional.empty();
        }
        try {
            ObjectNode body = CanonicalJson.parseObject(str(item, "body").getBytes(StandardCharsets.UTF_8));
            return Optional.of(new PriorProof(num(item, "seq"), Instant.ofEpochMilli(num(item, "deviceTime")),
                    Instant.ofEpochMilli(num(item, "receivedAt")), str(item, "h3Cell"), ProofTypes.builtIn().decode(type, body),
                    item.containsKey("repeats") ? (int) num(item, "repeats") : 0));
        } catch (InvalidJsonException | MalformedProofException e) {
            throw new IllegalStateException("stored prior proof of " + deviceId + " is unreadable: " + e.getMessage(), e);
        }
    }

    /**
     * Remembers an accepted proof unless a later one (higher sequence) is already remembered: {@code repeats} is
     * the stored one's + 1 when the canonical bodies are equal, else 0. Read, then write on the condition that the
     * stored item is still the one read (retried when another delivery of the device got in between).
     */
    public void remember(Verdict.Accepted accepted, Instant receivedAt) {
        var proof = accepted.proof();
        String body;
        try {
            body = new String(CanonicalJson.canonicalize(ProofTypes.encode(proof.body())), StandardCharsets.UTF_8);
        } catch (InvalidJsonException e) {
            throw new IllegalStateException("accepted proof body cannot be canonicalized", e);
        }
        Map<String, AttributeValue> key = key(accepted.deviceId(), proof.type());
        for (int attempt = 1; ; attempt++) {
            Map<String, AttributeValue> stored = dynamo.getItem(g -> g.tableName(table).key(key).consistentRead(true)).item();
            boolean exists = stored != null && !stored.isEmpty();
            if (exists && num(stored, "seq") >= proof.sequence()) {
                break; // an out-of-order delivery: the newer state stays
            }
            long repeats = exists && body.equals(str(stored, "body"))
                    ? (stored.containsKey("repeats") ? num(stored, "repeats") : 0) + 1 : 0;
            Map<String, AttributeValue> item = new HashMap<>(key);
            item.put("seq", n(proof.sequence()));
            item.put("deviceTime", n(proof.deviceTime().toEpochMilli()));
            item.put("receivedAt", n(receivedAt.toEpochMilli()));
            if (proof.h3Cell() != null) {
                item.put("h3Cell", s(proof.h3Cell()));
            }
            item.put("body", s(body));
            item.put("repeats", n(Math.min(repeats, Integer.MAX_VALUE)));
            try {
                if (exists) {
                    dynamo.putItem(p -> p.tableName(table).item(item).conditionExpression("seq = :read")
                            .expressionAttributeValues(Map.of(":read", stored.get("seq"))));
                } else {
                    dynamo.putItem(p -> p.tableName(table).item(item).conditionExpression("attribute_not_exists(pk)"));
                }
                break;
            } catch (ConditionalCheckFailedException changedMeanwhile) {
                if (attempt >= ATTEMPTS) {
                    throw new IllegalStateException("prior proof of " + accepted.deviceId() + " kept changing", changedMeanwhile);
                }
            }
        }
        if (proof.body() instanceof SensorReading reading && accepted.device().h3Cell() != null) {
            neighbours.record(accepted.deviceId(), accepted.device().h3Cell(), reading, proof.deviceTime(), receivedAt);
        }
    }

    private static Map<String, AttributeValue> key(String deviceId, String type) {
        return DynamoProofLedger.key("L#" + deviceId, "T#" + type);
    }
}
