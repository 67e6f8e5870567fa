package dev.flywheel.core.crypto;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class EncodingTest {

    @Test
    void base64UrlWithoutPaddingRoundTrips() {
        byte[] bytes = {(byte) 0xfb, (byte) 0xff, (byte) 0xfe, 0x01};
        assertEquals("-__-AQ", Encoding.base64Url(bytes));
        assertArrayEquals(bytes, Encoding.fromBase64Url("-__-AQ"));
        assertArrayEquals(bytes, Encoding.fromBase64Url("-__-AQ=="), "padding is optional");
        assertEquals("", Encoding.base64Url(new byte[0]));
    }

    @Test
    void standardBase64AlphabetIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> Encoding.fromBase64Url("+//+AQ"));
        assertThrows(IllegalArgumentException.class, () -> Encoding.fromBase64Url("a b"));
    }

    @Test
    void hexForms() {
        byte[] bytes = {0x00, (byte) 0xab, 0x7f};
        assertEquals("00ab7f", Encoding.hex(bytes));
        assertEquals("0x00ab7f", Encoding.hex0x(bytes));
        assertArrayEquals(bytes, Encoding.fromHex("0x00ab7f"));
        assertArrayEquals(bytes, Encoding.fromHex("0X00AB7F"));
        assertArrayEquals(bytes, Encoding.fromHex("00ab7f"));
        assertThrows(IllegalArgumentException.class, () -> Encoding.fromHex("0x0"));
        assertThrows(IllegalArgumentException.class, () -> Encoding.fromHex("zz"));
    }

    @Test
    void sha256KnownAnswer() {
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                Encoding.hex(Encoding.sha256("abc".getBytes(StandardCharsets.UTF_8))));
    }
}
