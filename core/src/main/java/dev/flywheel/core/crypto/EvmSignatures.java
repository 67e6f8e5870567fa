package dev.flywheel.core.crypto;

import org.bouncycastle.math.ec.ECPoint;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.Optional;

/** Ethereum account signatures: who signed a 32-byte digest (ecrecover), as wallets produce them. */
public final class EvmSignatures {
    private EvmSignatures() {
    }

    /**
     * The 0x-lowercase address whose key produced {@code signature} (r || s || v, v in {0,1,27,28})
     * over {@code digest}; empty for malformed, high-s or unrecoverable signatures.
     */
    public static Optional<String> recoverAddress(byte[] digest, byte[] signature) {
        if (digest == null || digest.length != 32 || signature == null || signature.length != 65) {
            return Optional.empty();
        }
        int v = signature[64] & 0xFF;
        if (v >= 27) {
            v -= 27;
        }
        if (v > 1) {
            return Optional.empty();
        }
        var curve = SignatureScheme.Curves.SECP256K1;
        BigInteger r = new BigInteger(1, Arrays.copyOfRange(signature, 0, 32));
        BigInteger s = new BigInteger(1, Arrays.copyOfRange(signature, 32, 64));
        // Reject s in the upper half as Ethereum does (EIP-2): one signature, one encoding.
        if (r.signum() == 0 || s.signum() == 0 || r.compareTo(curve.getN()) >= 0
                || s.compareTo(curve.getN().shiftRight(1)) > 0) {
            return Optional.empty();
        }
        ECPoint q = DeviceSigningKey.recover(curve, digest, r, s, v);
        if (q == null || q.isInfinity()) {
            return Optional.empty();
        }
        return Optional.of(address(q.getEncoded(false)));
    }

    /** The address of an uncompressed secp256k1 public key (65 bytes, 0x04 prefix). */
    public static String address(byte[] uncompressedPublicKey) {
        byte[] hash = Keccak256.hash(Arrays.copyOfRange(uncompressedPublicKey, 1, 65));
        return Encoding.hex0x(Arrays.copyOfRange(hash, 12, 32));
    }

    /**
     * The EIP-55 mixed-case checksum spelling of an address given in any case ({@code 0x} + 40 hex digits):
     * hex digit i is upper case when nibble i of keccak256(lowercase hex without 0x) is 8 or more.
     */
    public static String checksummed(String address) {
        String hex = address.substring(2).toLowerCase(java.util.Locale.ROOT);
        byte[] hash = Keccak256.hash(hex.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        StringBuilder out = new StringBuilder("0x");
        for (int i = 0; i < 40; i++) {
            int nibble = (hash[i / 2] >> (i % 2 == 0 ? 4 : 0)) & 0xF;
            char c = hex.charAt(i);
            out.append(nibble >= 8 ? Character.toUpperCase(c) : c);
        }
        return out.toString();
    }

    /**
     * Whether {@code address} is spelt as Flywheel accepts an owner address: {@code 0x} + 40 hex digits, all
     * lowercase, all uppercase (no checksum), or mixed case that is exactly the EIP-55 checksum spelling
     * (a mixed-case address with a wrong checksum is a typo, not an address).
     */
    public static boolean isAcceptedSpelling(String address) {
        if (address == null || !address.matches("0x[0-9a-fA-F]{40}")) {
            return false;
        }
        String hex = address.substring(2);
        boolean hasLower = !hex.equals(hex.toUpperCase(java.util.Locale.ROOT));
        boolean hasUpper = !hex.equals(hex.toLowerCase(java.util.Locale.ROOT));
        return !(hasLower && hasUpper) || address.equals(checksummed(address));
    }
}
