package dev.flywheel.core.onboarding;

import dev.flywheel.core.crypto.Keccak256;

import java.math.BigInteger;

/**
 * "Device {@code deviceId} stands in {@code h3Cell}", signed by its current owner (EIP-712
 * {@code DeviceLocation}). Gain in tenths of a dBi and elevation in metres matter to radio proofs.
 */
public record LocationAssertion(String deviceId, String h3Cell, int antennaGainDeciDbi, int elevationMeters,
                                long nonce, long chainId) {
    static final String TYPE =
            "DeviceLocation(string deviceId,string h3Cell,int32 antennaGainDeciDbi,int32 elevationMeters,uint256 nonce)";

    public byte[] eip712Digest() {
        byte[] struct = Keccak256.hash(Eip712.typeHash(TYPE), Eip712.string(deviceId), Eip712.string(h3Cell),
                Eip712.int32(antennaGainDeciDbi), Eip712.int32(elevationMeters), Eip712.uint(BigInteger.valueOf(nonce)));
        return Eip712.digest(chainId, struct);
    }
}
