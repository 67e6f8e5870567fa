package dev.flywheel.verifier;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flywheel.core.proof.ProofCodec;
import dev.flywheel.core.verify.VerdictLedger;
import dev.flywheel.core.verify.Verdict;
import dev.flywheel.core.verify.VerificationService;

import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The receipt a device gets for one recorded verdict (docs/protocol.md section 9), published on
 * {@code flywheel/v1/<thing>/receipts}: {@code {"proofId":..,"seq":..,"outcome":"accepted","epoch":N}} or
 * {@code {"proofId":..,"seq":..,"outcome":"rejected","reason":"<wire>"}} ({@code proofId} absent when the
 * payload never decoded, {@code seq} -1 when unknown).
 *
 * @param thing   the authenticated thing that published the proof (the topic identity): the receipt goes to it
 * @param proofId null when unknown
 * @param reason  wire reason code, null when accepted
 * @param epoch   the epoch an accepted proof was credited in (unused for rejections)
 */
public record VerdictReceipt(String thing, String proofId, long seq, boolean accepted, String reason, long epoch) {
    /**
     * The receipt owed for one result, if any: only a first-recorded verdict gets one (a redelivery of a
     * delivery already recorded sent its receipt the first time), and never the unattributed pseudo-device
     * (an unreadable queue message has no thing to answer).
     */
    public static Optional<VerdictReceipt> of(VerificationService.Result result) {
        if (!(result instanceof VerificationService.Result.Done done)
                || done.recorded().outcome() != VerdictLedger.Outcome.RECORDED) {
            return Optional.empty();
        }
        String thing = done.delivery().topicDeviceId();
        if (thing == null || RuleMessage.UNATTRIBUTED.equals(thing) || !ProofCodec.DEVICE_ID.matcher(thing).matches()) {
            return Optional.empty();
        }
        return Optional.of(switch (done.recorded().stored()) {
            case Verdict.Accepted a -> new VerdictReceipt(thing, a.proof().proofId(), a.proof().sequence(), true, null,
                    done.recorded().epoch());
            case Verdict.Rejected r -> new VerdictReceipt(thing, r.proofId(), r.sequence(), false, r.reason().wire(), -1);
        });
    }

    public String topic() {
        return "flywheel/v1/" + thing + "/receipts";
    }

    /** The receipt's JSON bytes, written by {@code json} (the context's mapper). */
    public byte[] json(ObjectMapper json) {
        Map<String, Object> body = new LinkedHashMap<>();
        if (proofId != null) {
            body.put("proofId", proofId);
        }
        body.put("seq", seq);
        body.put("outcome", accepted ? "accepted" : "rejected");
        if (accepted) {
            body.put("epoch", epoch);
        } else {
            body.put("reason", reason);
        }
        try {
            return json.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
