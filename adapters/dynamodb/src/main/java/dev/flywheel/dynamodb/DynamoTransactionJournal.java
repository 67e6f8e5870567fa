package dev.flywheel.dynamodb;

import dev.flywheel.core.settlement.JournaledTransaction;
import dev.flywheel.core.settlement.TransactionJournal;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

import java.util.HashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;

import static dev.flywheel.dynamodb.Attr.n;
import static dev.flywheel.dynamodb.Attr.num;
import static dev.flywheel.dynamodb.Attr.s;
import static dev.flywheel.dynamodb.Attr.str;

/** The settlement journal: signed transactions stored before broadcast, one per intent. */
public final class DynamoTransactionJournal implements TransactionJournal {
    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoTransactionJournal(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    @Override
    public Optional<JournaledTransaction> find(String intentId) {
        Map<String, AttributeValue> item = dynamo.getItem(g -> g.tableName(table)
                .key(Map.of("intentId", s(intentId))).consistentRead(true)).item();
        if (item == null || item.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new JournaledTransaction(intentId, str(item, "from"), num(item, "nonce"),
                str(item, "txHash"), str(item, "signedRawTx"),
                JournaledTransaction.Status.valueOf(str(item, "status")),
                item.containsKey("blockNumber") ? num(item, "blockNumber") : null));
    }

    @Override
    public boolean record(JournaledTransaction tx) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("intentId", s(tx.intentId()));
        item.put("from", s(tx.from()));
        item.put("nonce", n(tx.nonce()));
        item.put("txHash", s(tx.txHash()));
        item.put("signedRawTx", s(tx.signedRawTx()));
        item.put("status", s(tx.status().name()));
        if (tx.blockNumber() != null) {
            item.put("blockNumber", n(tx.blockNumber()));
        }
        try {
            dynamo.putItem(p -> p.tableName(table).item(item).conditionExpression("attribute_not_exists(intentId)"));
            return true;
        } catch (ConditionalCheckFailedException exists) {
            return false;
        }
    }

    @Override
    public void markConfirmed(String intentId, long blockNumber, boolean success) {
        String status = (success ? JournaledTransaction.Status.CONFIRMED : JournaledTransaction.Status.FAILED).name();
        try {
            dynamo.updateItem(u -> u.tableName(table).key(Map.of("intentId", s(intentId)))
                    .updateExpression("SET #s = :s, blockNumber = :b")
                    .conditionExpression("attribute_exists(intentId) AND (#s = :signed OR #s = :s)")
                    .expressionAttributeNames(Map.of("#s", "status"))
                    .expressionAttributeValues(Map.of(":s", s(status), ":b", n(blockNumber),
                            ":signed", s(JournaledTransaction.Status.SIGNED.name()))));
        } catch (ConditionalCheckFailedException e) {
            if (find(intentId).isEmpty()) {
                throw new NoSuchElementException("no transaction journaled for " + intentId);
            }
            throw new IllegalStateException("transaction " + intentId + " is already final with another outcome", e);
        }
    }
}
