package dev.flywheel.core.verify;

import dev.flywheel.core.proof.DeviceRecord;
import dev.flywheel.core.proof.ProofEnvelope;
import dev.flywheel.core.proof.RejectionReason;

import java.util.Map;

/** The outcome of verifying one delivery: credited work, or a rejection with its reason and evidence. */
public sealed interface Verdict {

    /** The authenticated device the delivery came from (the topic identity). */
    String deviceId();

    record Accepted(ProofEnvelope proof, DeviceRecord device, long clockSkewMillis, long workUnits)
            implements Verdict {
        @Override
        public String deviceId() {
            return device.deviceId();
        }
    }

    /**
     * @param proofId  null when the payload never parsed far enough to have one
     * @param sequence -1 when unknown
     * @param evidence the numbers behind the decision (skew, limits, values), for operators and disputes
     */
    record Rejected(String deviceId, RejectionReason reason, String detail, String proofId, long sequence,
                    Map<String, Object> evidence) implements Verdict {
        public Rejected {
            evidence = Map.copyOf(evidence);
        }

        public static Rejected of(String deviceId, RejectionReason reason, String detail) {
            return new Rejected(deviceId, reason, detail, null, -1, Map.of());
        }
    }
}
