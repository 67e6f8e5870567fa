package dev.flywheel.networkentropy;

import io.micronaut.context.ApplicationContextBuilder;
import io.micronaut.function.aws.MicronautRequestHandler;
import jakarta.inject.Inject;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Scheduled every minute: derives the current period's network entropy from the newest finalized
 * block, stores it once ({@code EntropyTable}) and publishes it on {@code flywheel/v1/network/entropy};
 * then issues the period's uptime challenges ({@link ChallengeIssuer}) when the tables for them are configured.
 */
public class NetworkEntropyHandler extends MicronautRequestHandler<Map<String, Object>, Map<String, Object>> {
    @Inject
    EntropyPublication publication;

    public NetworkEntropyHandler() {
    }

    public NetworkEntropyHandler(ApplicationContextBuilder context) {
        super(context);
    }

    @Override
    public Map<String, Object> execute(Map<String, Object> scheduledEvent) {
        EntropyPublication.Outcome outcome = publication.run(Clock.systemUTC().instant());
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("entropy", outcome.entropy().entropyHex());
        result.put("issuedAt", outcome.entropy().issuedAt().toEpochMilli());
        result.put("period", outcome.entropy().period());
        result.put("blockNumber", outcome.entropy().blockNumber());
        result.put("blockHash", outcome.entropy().blockHashHex());
        result.put("created", outcome.created());
        result.put("published", outcome.published());
        result.put("challengesEligible", outcome.challenges().eligible());
        result.put("challengesIssued", outcome.challenges().issued());
        result.put("challengesPublished", outcome.challenges().published());
        result.put("challengesFailed", outcome.challenges().failed());
        return result;
    }
}
