package dev.flywheel.networkentropy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.core.entropy.NetworkEntropy;
import dev.flywheel.core.json.CanonicalJson;
import dev.flywheel.core.json.InvalidJsonException;
import dev.flywheel.core.types.uptime.IssuedChallenge;
import dev.flywheel.core.types.uptime.UptimeChallenges;
import dev.flywheel.core.types.uptime.UptimeResponseRule;
import dev.flywheel.dynamodb.DynamoChallengeLedger;
import dev.flywheel.dynamodb.DynamoDeviceRegistry;
import dev.flywheel.function.TopicPublisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Issues the period's uptime challenges (docs/protocol.md §7d, "Issuing challenges"): for every ACTIVE device
 * whose registry item lists the capability {@code uptime}, challenge = {@link UptimeChallenges#derive}(entropy,
 * period, deviceId), recorded once in the challenges table ({@link DynamoChallengeLedger#issue}, so a second run
 * of the period keeps the first record and its issue time) and, by the run that recorded it, published on
 * {@code flywheel/v1/<thing>/challenges}. No expected response is recorded: the answer proves timeliness only.
 * A publish that fails is not repeated (the deadline would be gone by the next run); the node misses that period.
 */
public final class ChallengeIssuer {
    private static final Logger LOG = LoggerFactory.getLogger(ChallengeIssuer.class);

    private final DynamoDeviceRegistry devices;
    private final DynamoChallengeLedger ledger;
    private final TopicPublisher publisher;
    private final Clock clock;
    private final Duration deadline;

    /** @param publisher null: challenges are recorded, not published */
    public ChallengeIssuer(DynamoDeviceRegistry devices, DynamoChallengeLedger ledger, TopicPublisher publisher, Clock clock) {
        this.devices = Objects.requireNonNull(devices, "devices");
        this.ledger = Objects.requireNonNull(ledger, "ledger");
        this.publisher = publisher;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.deadline = UptimeResponseRule.DEFAULT_DEADLINE; // what the verifier enforces
    }

    /** {@code flywheel/v1/<deviceId>/challenges}: only that device may read it. */
    public static String topic(String deviceId) {
        return "flywheel/v1/" + deviceId + "/challenges";
    }

    /** What one run did: devices eligible, challenges newly recorded, published, and publishes that failed. */
    public record Outcome(int eligible, int issued, int published, int failed) {
        public static final Outcome NONE = new Outcome(0, 0, 0, 0);
    }

    public Outcome issue(NetworkEntropy entropy) {
        int eligible = 0;
        int issued = 0;
        int published = 0;
        int failed = 0;
        for (String deviceId : devices.activeWithCapability(DynamoDeviceRegistry.CAPABILITY_UPTIME)) {
            eligible++;
            String challenge = UptimeChallenges.derive(entropy.entropyHex(), entropy.period(), deviceId);
            IssuedChallenge c = new IssuedChallenge(challenge, deviceId, clock.instant(), null);
            if (!ledger.issue(c)) {
                continue; // an earlier run of this period issued (and published) it
            }
            issued++;
            if (publisher == null) {
                continue;
            }
            try {
                publisher.publish(topic(deviceId), message(c.challenge(), c.issuedAt(), deadline));
                published++;
            } catch (RuntimeException e) {
                failed++;
                LOG.warn("challenge for {} (period {}) recorded but not published: {}", deviceId, entropy.period(), e.toString());
            }
        }
        return new Outcome(eligible, issued, published, failed);
    }

    /** {@code {"challenge": <64 hex>, "deadlineMs": <ms after issuedAt>, "issuedAt": <Unix ms>}}, canonical JSON. */
    public static byte[] message(String challenge, Instant issuedAt, Duration deadline) {
        ObjectNode m = JsonNodeFactory.instance.objectNode()
                .put("challenge", challenge)
                .put("issuedAt", issuedAt.toEpochMilli())
                .put("deadlineMs", deadline.toMillis());
        try {
            return CanonicalJson.canonicalize(m);
        } catch (InvalidJsonException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
