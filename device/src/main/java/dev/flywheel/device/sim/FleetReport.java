package dev.flywheel.device.sim;

import dev.flywheel.device.mqtt.Receipt;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a fleet run did and what the backend answered.
 *
 * @param publishedByRole  MQTT messages attempted per role (REPLAYER counts the original and its copies)
 * @param pubackedByRole   of those, acknowledged by the broker (PUBACK)
 * @param notDeliveredByRole of the acknowledged, those the broker drops by policy (WRONG_TOPIC: under
 *                          MQTT 3.1.1 a publish the ACL forbids is acknowledged and silently dropped);
 *                          they expect no verdict and no receipt
 * @param receiptsByOutcome receipts per outcome ({@code accepted}, {@code rejected})
 * @param receiptsByReason  rejected receipts per reason code (wire form)
 * @param receiptsByRole    per role: {@code accepted} or {@code rejected:<reason>} -> count
 * @param receiptsMatched   receipts whose proof id matches a message this run acknowledged (each message
 *                          is matched at most once, so a replayer's copies each need their own receipt)
 * @param receiptsUnmatched receipts for proofs this run did not send (or more receipts than messages)
 * @param errors            first few connection/publish errors, for the log
 */
public record FleetReport(int devices, int connected, int connectFailures,
                          Map<DeviceRole, Integer> publishedByRole, Map<DeviceRole, Integer> pubackedByRole,
                          Map<DeviceRole, Integer> notDeliveredByRole, int publishFailures, Map<String, Integer> receiptsByOutcome,
                          Map<String, Integer> receiptsByReason, Map<DeviceRole, Map<String, Integer>> receiptsByRole,
                          int malformedReceipts, int receiptsMatched, int receiptsUnmatched, List<Receipt> receipts, List<String> errors, Duration elapsed) {

    public int published() {
        return publishedByRole.values().stream().mapToInt(Integer::intValue).sum();
    }

    public int pubacks() {
        return pubackedByRole.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** Acknowledged messages the broker drops by policy (never reach the backend). */
    public int notDelivered() {
        return notDeliveredByRole.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** Acknowledged messages that reach the backend: each should get exactly one verdict (and receipt). */
    public int expectedVerdicts() {
        return pubacks() - notDelivered();
    }

    public int receiptCount() {
        return receipts.size();
    }

    /** Delivered, acknowledged messages that got no receipt within the grace period. */
    public int receiptsMissing() {
        return Math.max(0, expectedVerdicts() - receiptsMatched);
    }

    public int outcomes(String outcome) {
        return receiptsByOutcome.getOrDefault(outcome, 0);
    }

    /** A multi-line human summary for the demo output. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("fleet: %d devices, %d connected, %d failed to connect, %.1f s%n",
                devices, connected, connectFailures, elapsed.toMillis() / 1000.0));
        sb.append(String.format("messages: %d published, %d acknowledged, %d not delivered (dropped by the broker), %d failed%n",
                published(), pubacks(), notDelivered(), publishFailures));
        sb.append(String.format("receipts: %d (%s), %d missing, %d unmatched, %d malformed%n", receipts.size(),
                new TreeMap<>(receiptsByOutcome), receiptsMissing(), receiptsUnmatched, malformedReceipts));
        for (DeviceRole role : DeviceRole.values()) {
            int sent = publishedByRole.getOrDefault(role, 0);
            if (sent > 0) {
                int dropped = notDeliveredByRole.getOrDefault(role, 0);
                sb.append(String.format("  %-12s sent %5d  acked %5d  %sreceipts %s%n", role.wire(), sent,
                        pubackedByRole.getOrDefault(role, 0), dropped > 0 ? "not delivered " + dropped + "  " : "",
                        new TreeMap<>(receiptsByRole.getOrDefault(role, Map.of()))));
            }
        }
        for (String e : errors) {
            sb.append("  error: ").append(e).append('\n');
        }
        return sb.toString();
    }
}
