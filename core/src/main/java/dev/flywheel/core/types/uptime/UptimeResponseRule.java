package dev.flywheel.core.types.uptime;

import dev.flywheel.core.proof.ProofEnvelope;
import dev.flywheel.core.proof.DeviceRecord;
import dev.flywheel.core.proof.PlausibilityChecks.Failure;
import dev.flywheel.core.proof.PriorProof;
import dev.flywheel.core.proof.ProofRule;
import dev.flywheel.core.proof.RejectionReason;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code uptime.response}: the challenge must be one the network issued ({@code challenge_unknown}), to this
 * device ({@code challenge_not_for_device}), answered no later than {@code deadline} (default 30 s, inclusive)
 * after it was issued by the server receive time ({@code challenge_expired}), with the expected response when
 * the network knows it ({@code challenge_response_mismatch}), and by one proof only
 * ({@code challenge_already_answered}). The answer claim is the last check, so a proof rejected for any other
 * reason never uses up the challenge.
 */
public final class UptimeResponseRule implements ProofRule<ChallengeResponse> {
    public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(30);

    private final ChallengeLookup challenges;
    private final Duration deadline;

    public UptimeResponseRule(ChallengeLookup challenges, Duration deadline) {
        this.challenges = Objects.requireNonNull(challenges, "challenges");
        if (deadline.isNegative()) {
            throw new IllegalArgumentException("deadline is negative: " + deadline);
        }
        this.deadline = deadline;
    }

    public static UptimeResponseRule defaults(ChallengeLookup challenges) {
        return new UptimeResponseRule(challenges, DEFAULT_DEADLINE);
    }

    @Override
    public Class<ChallengeResponse> bodyType() {
        return ChallengeResponse.class;
    }

    @Override
    public Optional<Failure> check(ProofEnvelope proof, ChallengeResponse body, DeviceRecord device, Optional<PriorProof> prior) {
        throw new IllegalStateException("uptime.response checks need the server receive time: use the receivedAt overload");
    }

    @Override
    public Optional<Failure> check(ProofEnvelope proof, ChallengeResponse r, DeviceRecord device, Optional<PriorProof> prior,
                                   Instant receivedAt) {
        Objects.requireNonNull(receivedAt, "receivedAt");
        Optional<IssuedChallenge> found = challenges.find(r.challenge());
        if (found.isEmpty()) {
            return fail(UptimeReason.CHALLENGE_UNKNOWN, "challenge " + r.challenge().substring(0, 16) + "... was not issued", Map.of());
        }
        IssuedChallenge c = found.get();
        if (!c.deviceId().equals(device.deviceId())) {
            return fail(UptimeReason.CHALLENGE_NOT_FOR_DEVICE, "the challenge was issued to another device", Map.of());
        }
        long elapsed = receivedAt.toEpochMilli() - c.issuedAt().toEpochMilli();
        if (elapsed < 0 || elapsed > deadline.toMillis()) {
            return fail(UptimeReason.CHALLENGE_EXPIRED, elapsed < 0
                            ? "answer received " + (-elapsed) + " ms before the challenge was issued"
                            : "answer received " + elapsed + " ms after the challenge, deadline " + deadline.toMillis() + " ms",
                    Map.of("challengeIssuedAt", c.issuedAt().toEpochMilli(), "receivedAt", receivedAt.toEpochMilli(),
                            "elapsedMillis", elapsed, "limitMillis", deadline.toMillis()));
        }
        if (c.expected().isPresent() && !c.expected().get().equals(r.response())) {
            return fail(UptimeReason.CHALLENGE_RESPONSE_MISMATCH, "the response is not the expected answer", Map.of());
        }
        Optional<String> first = challenges.claimAnswer(r.challenge(), proof.proofId());
        if (first.isPresent()) {
            return fail(UptimeReason.CHALLENGE_ALREADY_ANSWERED, "another proof already answered this challenge",
                    Map.of("firstProofId", first.get()));
        }
        return Optional.empty();
    }

    private static Optional<Failure> fail(RejectionReason reason, String detail, Map<String, Object> evidence) {
        return Optional.of(new Failure(reason, detail, evidence));
    }
}
