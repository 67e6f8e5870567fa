package dev.flywheel.networkentropy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.core.entropy.EntropyBeacon;
import dev.flywheel.core.entropy.NetworkEntropy;
import dev.flywheel.core.json.CanonicalJson;
import dev.flywheel.core.json.InvalidJsonException;
import dev.flywheel.dynamodb.DynamoEntropyLedger;
import dev.flywheel.function.TopicPublisher;

import java.time.Instant;
import java.util.Objects;

/**
 * One run of the entropy function: the period's value is derived from the chain head, stored once
 * (a second run in the same period finds the first value and keeps it), then published to every device.
 * Publishing is repeated by every run of the period, so a publish that failed is made good by a retry.
 * With a {@link ChallengeIssuer}, the period's uptime challenges are issued after the value is stored.
 */
public final class EntropyPublication {
    /** Devices subscribe here (their policy allows it); docs/protocol.md, "Network entropy". */
    public static final String TOPIC = "flywheel/v1/network/entropy";

    private final ChainHead chain;
    private final EntropyBeacon beacon;
    private final DynamoEntropyLedger ledger;
    private final TopicPublisher publisher;
    private final ChallengeIssuer challenges;

    /** @param publisher null: values are stored, not published */
    public EntropyPublication(ChainHead chain, EntropyBeacon beacon, DynamoEntropyLedger ledger, TopicPublisher publisher) {
        this(chain, beacon, ledger, publisher, null);
    }

    /**
     * @param publisher  null: values are stored, not published
     * @param challenges null: no uptime challenges are issued
     */
    public EntropyPublication(ChainHead chain, EntropyBeacon beacon, DynamoEntropyLedger ledger, TopicPublisher publisher,
                              ChallengeIssuer challenges) {
        this.chain = Objects.requireNonNull(chain, "chain");
        this.beacon = Objects.requireNonNull(beacon, "beacon");
        this.ledger = Objects.requireNonNull(ledger, "ledger");
        this.publisher = publisher;
        this.challenges = challenges;
    }

    /** What a run did. */
    public record Outcome(NetworkEntropy entropy, boolean created, boolean published, ChallengeIssuer.Outcome challenges) {
    }

    public Outcome run(Instant now) {
        long period = beacon.periodOf(now);
        var existing = ledger.forPeriod(period);
        DynamoEntropyLedger.Recorded recorded;
        if (existing.isPresent()) {
            recorded = new DynamoEntropyLedger.Recorded(existing.get(), false); // no chain call needed
        } else {
            ChainHead.Block head = chain.head();
            recorded = ledger.record(beacon.derive(period, head.hash(), head.number()));
        }
        boolean published = false;
        if (publisher != null) {
            publisher.publish(TOPIC, message(recorded.entropy(), beacon));
            published = true;
        }
        ChallengeIssuer.Outcome issued = challenges == null ? ChallengeIssuer.Outcome.NONE : challenges.issue(recorded.entropy());
        return new Outcome(recorded.entropy(), recorded.created(), published, issued);
    }

    /** {@code {"entropy": <64 hex>, "issuedAt": <Unix ms>, "period": <index>, "periodSeconds": <s>}}, canonical JSON. */
    public static byte[] message(NetworkEntropy e, EntropyBeacon beacon) {
        ObjectNode m = JsonNodeFactory.instance.objectNode()
                .put("entropy", e.entropyHex())
                .put("issuedAt", e.issuedAt().toEpochMilli())
                .put("period", e.period())
                .put("periodSeconds", beacon.period().toSeconds());
        try {
            return CanonicalJson.canonicalize(m);
        } catch (InvalidJsonException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
