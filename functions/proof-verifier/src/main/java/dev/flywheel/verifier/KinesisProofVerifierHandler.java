package dev.flywheel.verifier;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import io.micronaut.context.ApplicationContextBuilder;
import io.micronaut.function.aws.MicronautRequestHandler;
import jakarta.inject.Inject;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Kinesis batches from the IoT rule's stream (template parameter {@code ProofIngest=kinesis}; records keyed by device,
 * so one device's proofs reach the verifier in the order the broker received them) -> the same verification path as
 * the SQS entry point ({@link BatchVerifier}). Each record's data is the rule's JSON, as an SQS message body is.
 *
 * <p>Redelivery identity: the record's event id ({@code <shard id>:<sequence number>}) plays the SQS message id's role;
 * it is stored as the name-based UUID of that string ({@link #deliveryId}), 16 bytes in the device's packed guard
 * instead of about 80, and a redelivery of the record (a retried batch, an iterator replay) repeats it.
 *
 * <p>Partial failure: a stream is processed in order, so the response names only the first record (in batch order)
 * whose verdict is not stored; Lambda checkpoints before it and delivers it and every later record again. Those later
 * records were recorded already, and the idempotent ledger credits nothing twice.
 */
public class KinesisProofVerifierHandler extends MicronautRequestHandler<KinesisEvent, StreamsEventResponse> {
    @Inject
    BatchVerifier batches;

    public KinesisProofVerifierHandler() {
    }

    /** For the local function host: same handler, properties given instead of environment variables. */
    public KinesisProofVerifierHandler(ApplicationContextBuilder context) {
        super(context);
    }

    @Override
    public StreamsEventResponse execute(KinesisEvent event) {
        List<IngestMessage> batch = new ArrayList<>(event.getRecords().size());
        List<String> sequenceNumbers = new ArrayList<>(event.getRecords().size());
        for (KinesisEvent.KinesisEventRecord r : event.getRecords()) {
            KinesisEvent.Record record = r.getKinesis();
            batch.add(new IngestMessage(deliveryId(r.getEventID(), record.getSequenceNumber()), body(record.getData())));
            sequenceNumbers.add(record.getSequenceNumber());
        }
        Set<String> failed = batches.verify(batch);
        List<StreamsEventResponse.BatchItemFailure> failures = new ArrayList<>(1);
        for (int i = 0; i < batch.size(); i++) {
            if (failed.contains(batch.get(i).deliveryId())) {
                failures.add(new StreamsEventResponse.BatchItemFailure(sequenceNumbers.get(i)));
                break;
            }
        }
        return new StreamsEventResponse(failures);
    }

    /**
     * The delivery id of a Kinesis record: the name-based UUID of {@code kinesis:<event id>}, where Lambda's event id is
     * {@code <shard id>:<sequence number>} (a sequence number is unique within its shard); without an event id, of the
     * sequence number alone.
     */
    public static String deliveryId(String eventId, String sequenceNumber) {
        String key = "kinesis:" + (eventId != null && !eventId.isEmpty() ? eventId : sequenceNumber);
        return UUID.nameUUIDFromBytes(key.getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** The record's data as text (the rule's JSON); bytes that are not UTF-8 are recorded as an unreadable message. */
    private static String body(ByteBuffer data) {
        if (data == null) {
            return null;
        }
        ByteBuffer copy = data.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
