package dev.flywheel.core.verify;

import java.time.Instant;

/**
 * One delivery of a device message, as the IoT rule hands it over.
 *
 * @param deliveryId     stable id of this delivery (the SQS message id; with the Kinesis ingest a name-based UUID of
 *                       the record's shard and sequence number): a redelivery repeats it
 * @param topicDeviceId  the thing name from the topic the broker authenticated ({@code topic(3)})
 * @param receivedAt     the server's receive time (IoT rule {@code timestamp()}); never the device clock
 * @param payload        the raw MQTT payload bytes
 */
public record InboundProof(String deliveryId, String topicDeviceId, Instant receivedAt, byte[] payload) {
    /** The pseudo-device a queue message that names no device is recorded under (it can never be credited). */
    public static final String UNATTRIBUTED = "_unattributed";
}
