package dev.flywheel.device.mqtt;

/**
 * Receives a device's receipts. Called on the MQTT client's event-loop thread: return quickly and
 * never block there (no waiting on futures of the same client).
 */
@FunctionalInterface
public interface ReceiptListener {
    void onReceipt(Receipt receipt);

    /** A payload on the receipts topic that is not a receipt; ignored by default. */
    default void onMalformedReceipt(String deviceId, byte[] payload, IllegalArgumentException error) {
    }
}
