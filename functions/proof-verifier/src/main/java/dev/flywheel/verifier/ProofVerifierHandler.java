package dev.flywheel.verifier;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flywheel.core.verify.InboundProof;
import dev.flywheel.core.proof.ReasonCode;
import dev.flywheel.core.verify.Verdict;
import dev.flywheel.core.verify.VerdictArchive;
import dev.flywheel.core.verify.VerdictLedger;
import dev.flywheel.core.verify.VerificationService;
import io.micronaut.context.ApplicationContextBuilder;
import io.micronaut.function.aws.MicronautRequestHandler;
import jakarta.inject.Inject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * SQS batches from the IoT rule -> verdicts in the proof ledger. Only storage failures are
 * reported back as batch item failures (so SQS redelivers just those, and after five receives
 * parks them in the DLQ); bad input is a recorded rejection, never a failed batch. Each first-recorded
 * verdict of a device is answered with a receipt on its receipts topic ({@link ReceiptSender}).
 */
public class ProofVerifierHandler extends MicronautRequestHandler<SQSEvent, SQSBatchResponse> {
    private static final Logger LOG = LoggerFactory.getLogger(ProofVerifierHandler.class);

    /** The context's one mapper (function-support JsonMapperSettings), the one that read the event. */
    @Inject
    ObjectMapper json;

    @Inject
    VerificationService verification;

    @Inject
    VerdictLedger ledger;

    @Inject
    ReceiptSender receipts;

    @Inject
    VerdictMetrics metrics;

    @Inject
    ReceiptMode receiptMode;

    @Inject
    VerdictArchive paperTrail;

    public ProofVerifierHandler() {
    }

    /** For the local function host: same handler, properties given instead of environment variables. */
    public ProofVerifierHandler(ApplicationContextBuilder context) {
        super(context);
    }

    @Override
    public SQSBatchResponse execute(SQSEvent event) {
        List<InboundProof> readable = new ArrayList<>();
        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
        List<VerificationService.Result.Done> recorded = new ArrayList<>();
        for (SQSEvent.SQSMessage message : event.getRecords()) {
            Optional<InboundProof> delivery = RuleMessage.parse(json, message.getMessageId(), message.getBody());
            if (delivery.isPresent()) {
                readable.add(delivery.get());
                continue;
            }
            InboundProof unreadable = RuleMessage.unreadable(message.getMessageId(), message.getBody(), Instant.now());
            try {
                recorded.add(new VerificationService.Result.Done(unreadable, ledger.record(unreadable,
                        Verdict.Rejected.of(RuleMessage.UNATTRIBUTED, ReasonCode.INVALID_RULE_MESSAGE,
                                "queue message is not an IoT rule message"))));
            } catch (RuntimeException e) {
                LOG.warn("could not record unreadable message {}: {}", message.getMessageId(), e.toString());
                failures.add(new SQSBatchResponse.BatchItemFailure(message.getMessageId()));
            }
        }
        List<VerificationService.Result> results = verification.process(readable);
        for (VerificationService.Result result : results) {
            switch (result) {
                case VerificationService.Result.Done done -> {
                    LOG.debug("{} {} {}", done.delivery().deliveryId(), done.recorded().outcome(),
                            done.recorded().stored().getClass().getSimpleName());
                    recorded.add(done);
                }
                case VerificationService.Result.Retry retry -> {
                    try (var device = MDC.putCloseable("deviceId", retry.delivery().topicDeviceId())) {
                        LOG.warn("delivery {} not recorded, will retry: {}", retry.delivery().deliveryId(), retry.cause().toString());
                    }
                    failures.add(new SQSBatchResponse.BatchItemFailure(retry.delivery().deliveryId()));
                }
            }
        }
        // The paper trail after the ledger: if it cannot be written, every recorded message of the batch comes back
        // (SQS redelivery), finds its verdict already recorded, and is written to the trail then. Nothing is lost.
        try {
            paperTrail.archive(recorded);
        } catch (RuntimeException e) {
            LOG.warn("paper trail of this batch not written, the batch will be retried: {}", e.toString());
            recorded.forEach(done -> failures.add(new SQSBatchResponse.BatchItemFailure(done.delivery().deliveryId())));
        }
        metrics.emit(results, System.currentTimeMillis());
        // Best effort, after every verdict is stored: a receipt that cannot be sent never fails the batch.
        try {
            receipts.send(results.stream().flatMap(r -> VerdictReceipt.of(r).stream()).filter(receiptMode::wants).toList());
        } catch (RuntimeException e) {
            LOG.warn("receipts of this batch not sent: {}", e.toString());
        }
        return new SQSBatchResponse(failures);
    }
}
