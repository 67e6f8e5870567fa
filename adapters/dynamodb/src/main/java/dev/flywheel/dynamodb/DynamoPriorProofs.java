package dev.flywheel.dynamodb;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.core.json.CanonicalJson;
import dev.flywheel.core.json.InvalidJsonException;
import dev.flywheel.core.proof.MalformedProofException;
import dev.flywheel.core.proof.ProofTypes;
import dev.flywheel.core.proof.PriorProof;
import dev.flywheel.core.proof.PriorProofs;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;

/**
 * Each device's newest accepted proof per type, as kept in its ledger state ({@link DeviceState}, attribute {@code p}).
 * Only a higher sequence number replaces it, so a late-arriving older proof never rewinds it; {@code repeats} counts how
 * many accepted proofs just before it had the same canonical body (stuck values). The read is the one the ledger's write
 * for the same delivery reuses, so the check costs no extra read.
 */
public final class DynamoPriorProofs implements PriorProofs {
    private final DynamoProofLedger ledger;

    DynamoPriorProofs(DynamoProofLedger ledger) {
        this.ledger = ledger;
    }

    @Override
    public Optional<PriorProof> last(String deviceId, String type) {
        DeviceState.StoredPrior stored = ledger.readForVerification(deviceId).priors.get(type);
        if (stored == null) {
            return Optional.empty();
        }
        try {
            ObjectNode body = CanonicalJson.parseObject(stored.body().getBytes(StandardCharsets.UTF_8));
            return Optional.of(new PriorProof(stored.seq(), Instant.ofEpochMilli(stored.deviceTimeMillis()),
                    Instant.ofEpochMilli(stored.receivedAtMillis()), stored.h3Cell(), ProofTypes.builtIn().decode(type, body),
                    (int) stored.repeats()));
        } catch (InvalidJsonException | MalformedProofException e) {
            throw new IllegalStateException("stored prior proof of " + deviceId + " is unreadable: " + e.getMessage(), e);
        }
    }
}
