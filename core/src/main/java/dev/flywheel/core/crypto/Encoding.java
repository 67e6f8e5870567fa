package dev.flywheel.core.crypto;

import java.util.Base64;
import java.util.HexFormat;

/** Wire encodings of keys and signatures: base64url without padding, and 0x-hex for EVM values. */
public final class Encoding {
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();
    private static final HexFormat HEX = HexFormat.of();

    private Encoding() {
    }

    public static String base64Url(byte[] bytes) {
        return B64.encodeToString(bytes);
    }

    /** Decodes base64url (padding optional); throws IllegalArgumentException on bad input. */
    public static byte[] fromBase64Url(String text) {
        return B64D.decode(text);
    }

    public static String hex(byte[] bytes) {
        return HEX.formatHex(bytes);
    }

    public static String hex0x(byte[] bytes) {
        return "0x" + HEX.formatHex(bytes);
    }

    public static byte[] fromHex(String text) {
        String t = text.startsWith("0x") || text.startsWith("0X") ? text.substring(2) : text;
        return HEX.parseHex(t);
    }

    public static byte[] sha256(byte[] bytes) {
        return SignatureScheme.sha256(bytes);
    }
}
