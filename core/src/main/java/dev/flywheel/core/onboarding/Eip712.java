package dev.flywheel.core.onboarding;

import dev.flywheel.core.crypto.Encoding;
import dev.flywheel.core.crypto.Keccak256;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/**
 * The EIP-712 pieces Flywheel's owner messages need: the domain {name "Flywheel", version "1",
 * chainId} and ABI encoding of string, address and integer members. Wallets show these messages
 * as readable fields (eth_signTypedData_v4) instead of opaque hex.
 */
final class Eip712 {
    static final String DOMAIN_TYPE = "EIP712Domain(string name,string version,uint256 chainId)";

    private Eip712() {
    }

    static byte[] digest(long chainId, byte[] structHash) {
        byte[] domain = Keccak256.hash(typeHash(DOMAIN_TYPE), string("Flywheel"), string("1"), uint(BigInteger.valueOf(chainId)));
        return Keccak256.hash(new byte[]{0x19, 0x01}, domain, structHash);
    }

    static byte[] typeHash(String type) {
        return Keccak256.hash(type.getBytes(StandardCharsets.US_ASCII));
    }

    /** Dynamic {@code string} members are encoded as the keccak256 of their UTF-8 bytes. */
    static byte[] string(String value) {
        return Keccak256.hash(value.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] address(String address) {
        byte[] out = new byte[32];
        System.arraycopy(Encoding.fromHex(address), 0, out, 12, 20);
        return out;
    }

    static byte[] uint(BigInteger value) {
        return word(value);
    }

    /** int32 is sign-extended to 32 bytes. */
    static byte[] int32(int value) {
        return word(BigInteger.valueOf(value));
    }

    private static byte[] word(BigInteger value) {
        byte[] raw = value.toByteArray();
        byte[] out = new byte[32];
        if (value.signum() < 0) {
            java.util.Arrays.fill(out, (byte) 0xFF);
        }
        int copy = Math.min(raw.length, 32);
        System.arraycopy(raw, raw.length - copy, out, 32 - copy, copy);
        return out;
    }
}
