package dev.flywheel.verifier;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import io.micronaut.context.ApplicationContextBuilder;
import io.micronaut.function.aws.MicronautRequestHandler;
import jakarta.inject.Inject;

import java.util.List;
import java.util.Set;

/**
 * SQS batches from the IoT rule -> verdicts in the proof ledger ({@link BatchVerifier}). The SQS message id is the
 * delivery id. Only storage failures are reported back as batch item failures (so SQS redelivers just those, and after
 * five receives parks them in the DLQ); bad input is a recorded rejection, never a failed batch.
 */
public class ProofVerifierHandler extends MicronautRequestHandler<SQSEvent, SQSBatchResponse> {
    @Inject
    BatchVerifier batches;

    public ProofVerifierHandler() {
    }

    /** For the local function host: same handler, properties given instead of environment variables. */
    public ProofVerifierHandler(ApplicationContextBuilder context) {
        super(context);
    }

    @Override
    public SQSBatchResponse execute(SQSEvent event) {
        List<IngestMessage> batch = event.getRecords().stream()
                .map(m -> new IngestMessage(m.getMessageId(), m.getBody())).toList();
        Set<String> failed = batches.verify(batch);
        return new SQSBatchResponse(batch.stream().map(IngestMessage::deliveryId).filter(failed::contains).distinct()
                .map(SQSBatchResponse.BatchItemFailure::new).toList());
    }
}
