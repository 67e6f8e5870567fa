package dev.flywheel.core.verify;

import java.util.List;

/**
 * Port: the paper trail. Every verdict of a batch, with the raw bytes the device signed, written after the ledger
 * recorded them (S3 in production, one object per batch). The order is the guarantee: a verdict is in the ledger
 * before it is in the trail, and a batch whose trail write fails is retried whole, so its verdicts come back as
 * already recorded and are written to the trail then. Implementations must make a repeated write of the same batch
 * harmless (the same object again).
 */
@FunctionalInterface
public interface VerdictArchive {
    VerdictArchive NONE = results -> {
    };

    /** @throws RuntimeException when the trail could not be written: the caller retries the batch */
    void archive(List<VerificationService.Result.Done> results);
}
