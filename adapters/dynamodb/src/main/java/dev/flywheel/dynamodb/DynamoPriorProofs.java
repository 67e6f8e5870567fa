package dev.flywheel.dynamodb;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.core.json.CanonicalJson;
import dev.flywheel.core.json.InvalidJsonException;
import dev.flywheel.core.proof.MalformedProofException;
import dev.flywheel.core.proof.ProofTypes;
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
 * proof never rewinds the state.
 */
public final class DynamoPriorProofs implements PriorProofs {
    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoPriorProofs(DynamoDbClient dynamo, TableNames tables) {
        this.dynamo = dynamo;
        this.table = tables.ledger();
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
                    Instant.ofEpochMilli(num(item, "receivedAt")), str(item, "h3Cell"), ProofTypes.builtIn().decode(type, body)));
        } catch (InvalidJsonException | MalformedProofException e) {
            throw new IllegalStateException("stored prior proof of " + deviceId + " is unreadable: " + e.getMessage(), e);
        }
    }

    /** Remembers an accepted proof unless a later one (higher sequence) is already remembered. */
    public void remember(Verdict.Accepted accepted, Instant receivedAt) {
        var proof = accepted.proof();
        Map<String, AttributeValue> item = new HashMap<>(key(accepted.deviceId(), proof.type()));
        item.put("seq", n(proof.sequence()));
        item.put("deviceTime", n(proof.deviceTime().toEpochMilli()));
        item.put("receivedAt", n(receivedAt.toEpochMilli()));
        if (proof.h3Cell() != null) {
            item.put("h3Cell", s(proof.h3Cell()));
        }
        try {
            item.put("body", s(new String(CanonicalJson.canonicalize(ProofTypes.encode(proof.body())), StandardCharsets.UTF_8)));
        } catch (InvalidJsonException e) {
            throw new IllegalStateException("accepted proof body cannot be canonicalized", e);
        }
        try {
            dynamo.putItem(p -> p.tableName(table).item(item)
                    .conditionExpression("attribute_not_exists(pk) OR seq < :seq")
                    .expressionAttributeValues(Map.of(":seq", n(proof.sequence()))));
        } catch (ConditionalCheckFailedException newerAlreadyKept) {
            // an out-of-order delivery: the newer state stays
        }
    }

    private static Map<String, AttributeValue> key(String deviceId, String type) {
        return DynamoProofLedger.key("L#" + deviceId, "T#" + type);
    }
}
