package dev.flywheel.verifier;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flywheel.core.proof.ReasonCode;
import dev.flywheel.core.verify.InboundProof;
import dev.flywheel.core.verify.Verdict;
import dev.flywheel.core.verify.VerdictArchive;
import dev.flywheel.core.verify.VerdictLedger;
import dev.flywheel.core.verify.VerificationService;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One batch of rule messages -> verdicts in the proof ledger, the paper trail, metrics and receipts: the path both
 * entry points share ({@link ProofVerifierHandler} for SQS, {@link KinesisProofVerifierHandler} for Kinesis), which
 * differ only in how a message is carried and how a failure is reported back. Only storage failures come back as
 * failed deliveries; bad input is a recorded rejection, never a failed batch. Each first-recorded verdict of a device
 * is answered with a receipt on its receipts topic ({@link ReceiptSender}).
 */
@Singleton
class BatchVerifier {
    private static final Logger LOG = LoggerFactory.getLogger(BatchVerifier.class);

    /** The context's one mapper (function-support JsonMapperSettings). */
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

    /** @return the delivery ids whose verdict is not stored (to be delivered again), in no particular order */
    Set<String> verify(List<IngestMessage> batch) {
        List<InboundProof> readable = new ArrayList<>();
        Set<String> failures = new LinkedHashSet<>();
        List<VerificationService.Result.Done> recorded = new ArrayList<>();
        for (IngestMessage message : batch) {
            Optional<InboundProof> delivery = RuleMessage.parse(json, message.deliveryId(), message.body());
            if (delivery.isPresent()) {
                readable.add(delivery.get());
                continue;
            }
            InboundProof unreadable = RuleMessage.unreadable(message.deliveryId(), message.body(), Instant.now());
            try {
                recorded.add(new VerificationService.Result.Done(unreadable, ledger.record(unreadable,
                        Verdict.Rejected.of(RuleMessage.UNATTRIBUTED, ReasonCode.INVALID_RULE_MESSAGE,
                                "queue message is not an IoT rule message"))));
            } catch (RuntimeException e) {
                LOG.warn("could not record unreadable message {}: {}", message.deliveryId(), e.toString());
                failures.add(message.deliveryId());
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
                    failures.add(retry.delivery().deliveryId());
                }
            }
        }
        // The paper trail after the ledger: if it cannot be written, every recorded message of the batch comes back
        // (redelivery), finds its verdict already recorded, and is written to the trail then. Nothing is lost.
        try {
            paperTrail.archive(recorded);
        } catch (RuntimeException e) {
            LOG.warn("paper trail of this batch not written, the batch will be retried: {}", e.toString());
            recorded.forEach(done -> failures.add(done.delivery().deliveryId()));
        }
        metrics.emit(results, System.currentTimeMillis());
        // Best effort, after every verdict is stored: a receipt that cannot be sent never fails the batch.
        try {
            receipts.send(results.stream().flatMap(r -> VerdictReceipt.of(r).stream()).filter(receiptMode::wants).toList());
        } catch (RuntimeException e) {
            LOG.warn("receipts of this batch not sent: {}", e.toString());
        }
        return failures;
    }
}
