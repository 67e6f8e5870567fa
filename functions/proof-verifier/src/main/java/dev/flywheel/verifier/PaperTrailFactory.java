package dev.flywheel.verifier;

import dev.flywheel.core.verify.VerdictArchive;
import dev.flywheel.s3.S3VerdictArchive;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.s3.S3Client;

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
        boolean overridden = System.getenv("AWS_ENDPOINT_URL") != null || System.getenv("AWS_ENDPOINT_URL_S3") != null;
        S3Client s3 = S3Client.builder().httpClient(UrlConnectionHttpClient.create()).forcePathStyle(overridden).build();
        return new S3VerdictArchive(s3, bucket.strip(), json);
    }
}
