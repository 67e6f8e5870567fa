package dev.flywheel.core.onboarding;

import dev.flywheel.core.crypto.EvmSignatures;
import dev.flywheel.core.crypto.SignatureScheme;
import dev.flywheel.core.geo.H3Index;
import dev.flywheel.core.proof.ProofCodec;
import dev.flywheel.core.proof.DeviceRecord;
import dev.flywheel.core.proof.DeviceStatus;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Who may change a device's owner or location. Every change carries the device's next nonce
 * (so each signature is good once) and the network's chain id (so it is good on one network):
 * <ul>
 *   <li>binding (first owner, or a transfer): the device signs the new owner, the new owner's
 *       wallet signs the same binding, and on a transfer the current owner signs it too;</li>
 *   <li>location: the current owner signs it, at most once per {@code minLocationInterval}.</li>
 * </ul>
 * Pure checks: callers write nothing unless these return empty.
 */
public final class OnboardingRules {
    private static final Pattern ADDRESS = Pattern.compile("0x[0-9a-f]{40}");

    private final long chainId;
    private final Duration minLocationInterval;

    public OnboardingRules(long chainId, Duration minLocationInterval) {
        this.chainId = chainId;
        this.minLocationInterval = minLocationInterval;
    }

    /**
     * @param current             the registered device, or null when registering it now
     * @param currentNonce        the registry's nonce for the device (0 before registration)
     * @param currentOwnerSignature the current owner's signature of the binding digest; ignored on first bind
     */
    public Optional<OnboardingError> checkBinding(DeviceRecord current, long currentNonce, OwnerBinding binding,
                                                  SignatureScheme scheme, byte[] devicePublicKey,
                                                  byte[] deviceSignature, byte[] ownerSignature,
                                                  byte[] currentOwnerSignature) {
        if (binding.deviceId() == null || !ProofCodec.DEVICE_ID.matcher(binding.deviceId()).matches()) {
            return Optional.of(OnboardingError.INVALID_DEVICE_ID);
        }
        if (binding.owner() == null || !ADDRESS.matcher(binding.owner()).matches()) {
            return Optional.of(OnboardingError.INVALID_OWNER_ADDRESS);
        }
        if (current != null && current.status() == DeviceStatus.REVOKED) {
            return Optional.of(OnboardingError.DEVICE_REVOKED);
        }
        if (binding.chainId() != chainId) {
            return Optional.of(OnboardingError.WRONG_CHAIN);
        }
        if (binding.nonce() != currentNonce + 1) {
            return Optional.of(OnboardingError.STALE_NONCE);
        }
        if (isEmpty(deviceSignature)) {
            return Optional.of(OnboardingError.MISSING_DEVICE_SIGNATURE);
        }
        if (isEmpty(ownerSignature)) {
            return Optional.of(OnboardingError.MISSING_OWNER_SIGNATURE);
        }
        // The owner may be spelt lowercase or EIP-55 in the signed message: same address, either is good.
        if (!scheme.verify(devicePublicKey, binding.deviceMessage(), deviceSignature)
                && !scheme.verify(devicePublicKey, binding.deviceMessageChecksummed(), deviceSignature)) {
            return Optional.of(OnboardingError.BAD_DEVICE_SIGNATURE);
        }
        byte[] digest = binding.eip712Digest();
        if (!signedBy(digest, ownerSignature, binding.owner())) {
            return Optional.of(OnboardingError.BAD_OWNER_SIGNATURE);
        }
        if (current != null && current.owner() != null && !current.owner().equals(binding.owner())) {
            // A transfer needs the current owner's consent: absent is a malformed request, wrong is a refusal.
            if (isEmpty(currentOwnerSignature)) {
                return Optional.of(OnboardingError.MISSING_OWNER_SIGNATURE);
            }
            if (!signedBy(digest, currentOwnerSignature, current.owner())) {
                return Optional.of(OnboardingError.NOT_CURRENT_OWNER);
            }
        }
        return Optional.empty();
    }

    /**
     * @param lastAssertedAt when the location was last asserted, or null if never
     */
    public Optional<OnboardingError> checkLocation(DeviceRecord current, long currentNonce, Instant lastAssertedAt,
                                                   Instant now, LocationAssertion assertion, byte[] ownerSignature) {
        if (current == null) {
            return Optional.of(OnboardingError.UNKNOWN_DEVICE);
        }
        if (current.status() == DeviceStatus.REVOKED) {
            return Optional.of(OnboardingError.DEVICE_REVOKED);
        }
        if (!H3Index.isValidCell(assertion.h3Cell())) {
            return Optional.of(OnboardingError.INVALID_H3_CELL);
        }
        if (assertion.chainId() != chainId) {
            return Optional.of(OnboardingError.WRONG_CHAIN);
        }
        if (assertion.nonce() != currentNonce + 1) {
            return Optional.of(OnboardingError.STALE_NONCE);
        }
        if (isEmpty(ownerSignature)) {
            return Optional.of(OnboardingError.MISSING_OWNER_SIGNATURE);
        }
        if (current.owner() == null || !signedBy(assertion.eip712Digest(), ownerSignature, current.owner())) {
            return Optional.of(OnboardingError.NOT_CURRENT_OWNER);
        }
        if (lastAssertedAt != null && now.isBefore(lastAssertedAt.plus(minLocationInterval))) {
            return Optional.of(OnboardingError.LOCATION_RATE_LIMITED);
        }
        return Optional.empty();
    }

    private static boolean signedBy(byte[] digest, byte[] signature, String address) {
        return EvmSignatures.recoverAddress(digest, signature).map(address::equals).orElse(false);
    }

    private static boolean isEmpty(byte[] b) {
        return b == null || b.length == 0;
    }
}
