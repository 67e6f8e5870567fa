package dev.flywheel.core.onboarding;

import dev.flywheel.core.crypto.EvmSignatures;
import dev.flywheel.core.json.CanonicalJson;
import dev.flywheel.core.json.InvalidJsonException;

import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * "Device {@code deviceId} pays its rewards to {@code owner}", as both parties sign it: the device
 * with its proof key over {@link #deviceMessage()}, the owner's wallet over {@link #eip712Digest()}.
 * The nonce is the device's next registry nonce, so a signature is good for one change only.
 */
public record OwnerBinding(String deviceId, String owner, long nonce, long chainId) {
    public static final String PURPOSE = "flywheel.owner-binding.v1";
    static final String TYPE = "DeviceOwner(string deviceId,address owner,uint256 nonce)";

    public OwnerBinding {
        owner = owner == null ? null : owner.toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * The canonical JSON the device signs, with the owner in lowercase. Its {@code purpose} member keeps it
     * from ever being mistaken for a proof, which has no such member.
     */
    public byte[] deviceMessage() {
        return deviceMessage(owner);
    }

    /**
     * The same message with the owner in its EIP-55 checksum spelling. Both spellings name the same
     * address, so the registry accepts a device signature over either (docs/onboarding.md, "Owner address case").
     */
    public byte[] deviceMessageChecksummed() {
        return deviceMessage(EvmSignatures.checksummed(owner));
    }

    private byte[] deviceMessage(String ownerSpelling) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("purpose", PURPOSE);
        m.put("device", deviceId);
        m.put("owner", ownerSpelling);
        m.put("nonce", nonce);
        m.put("chainId", chainId);
        try {
            return CanonicalJson.canonicalize(CanonicalJson.mapper().valueToTree(m));
        } catch (InvalidJsonException e) {
            throw new IllegalArgumentException("binding cannot be canonicalized: " + e.getMessage(), e);
        }
    }

    /** The EIP-712 digest the owner's wallet signs ({@code DeviceOwner(string deviceId,address owner,uint256 nonce)}). */
    public byte[] eip712Digest() {
        byte[] struct = dev.flywheel.core.crypto.Keccak256.hash(Eip712.typeHash(TYPE), Eip712.string(deviceId),
                Eip712.address(owner), Eip712.uint(BigInteger.valueOf(nonce)));
        return Eip712.digest(chainId, struct);
    }
}
