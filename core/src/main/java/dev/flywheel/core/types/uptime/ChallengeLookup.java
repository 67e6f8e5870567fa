package dev.flywheel.core.types.uptime;

import java.util.Optional;

/** Port: the challenges the network issued, and which proof answered each (one answer per challenge). */
public interface ChallengeLookup {

    /** @param challengeHex 64 lowercase hex digits */
    Optional<IssuedChallenge> find(String challengeHex);

    /**
     * Makes {@code proofId} the answer of the challenge unless another proof already is. Atomic, and idempotent
     * per proof: the same proof claiming again (a redelivery, a retry) succeeds again.
     *
     * @return empty when {@code proofId} holds the challenge now; otherwise the id of the proof that answered first
     */
    Optional<String> claimAnswer(String challengeHex, String proofId);
}
