package dev.flywheel.core.verify;

import java.util.ArrayList;
import java.util.List;

/** Verifies and records a batch of deliveries; one bad message never affects the others. */
public final class VerificationService {
    private final ProofVerifier verifier;
    private final VerdictLedger ledger;

    public VerificationService(ProofVerifier verifier, VerdictLedger ledger) {
        this.verifier = verifier;
        this.ledger = ledger;
    }

    /** Per delivery, the stored result or the infrastructure failure that must be retried. */
    public sealed interface Result {
        InboundProof delivery();

        record Done(InboundProof delivery, VerdictLedger.Recorded recorded) implements Result {
        }

        /** Storage failed (throttling, network): the delivery must come back, it was not recorded. */
        record Retry(InboundProof delivery, RuntimeException cause) implements Result {
        }
    }

    public List<Result> process(List<InboundProof> batch) {
        List<Result> results = new ArrayList<>(batch.size());
        for (InboundProof delivery : batch) {
            Verdict verdict = verifier.verify(delivery);
            try {
                results.add(new Result.Done(delivery, ledger.record(delivery, verdict)));
            } catch (RuntimeException storageFailure) {
                results.add(new Result.Retry(delivery, storageFailure));
            }
        }
        return results;
    }
}
