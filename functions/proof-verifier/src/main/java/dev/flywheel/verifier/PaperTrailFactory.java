package dev.flywheel.verifier;

import dev.flywheel.core.verify.VerdictArchive;
import dev.flywheel.s3.S3VerdictArchive;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The paper trail ({@code flywheel.paper-trail.bucket}, {@code FLYWHEEL_PAPER_TRAIL_BUCKET}): every verdict of a batch
 * with its signed bytes, one S3 object per batch ({@link S3VerdictArchive}); blank keeps none (devnet default).
 * Path-style addressing when an endpoint override is set (moto, LocalStack), virtual-hosted on AWS.
 */
@Factory
public class PaperTrailFactory {
    private static final Logger LOG = LoggerFactory.getLogger(PaperTrailFactory.class);

    @Singleton
    VerdictArchive verdictArchive(ObjectMapper json, @Value("${flywheel.paper-trail.bucket:}") String bucket) {
        if (bucket == null || bucket.isBlank()) {
            LOG.info("no paper trail: flywheel.paper-trail.bucket (FLYWHEEL_PAPER_TRAIL_BUCKET) is not set");
            return VerdictArchive.NONE;
        }
        return new S3VerdictArchive(S3VerdictArchive.defaultClient(), bucket.strip(), json);
    }
}
