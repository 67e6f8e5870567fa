package dev.flywheel.core.json;

import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertFalse;

class CanonicalJsonTest {

    private static String canonical(String json) throws InvalidJsonException {
        return utf8(CanonicalJson.canonicalize(CanonicalJson.parseObject(json.getBytes(StandardCharsets.UTF_8))));
    }

    private static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static String canonicalString(String value) throws InvalidJsonException {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.set("s", TextNode.valueOf(value));
        String c = utf8(CanonicalJson.canonicalize(o));
        return c.substring("{\"s\":".length(), c.length() - 1);
    }

    // ---------------------------------------------------------------- RFC 8785 examples

    /** RFC 8785 section 3.2.3: members sorted by UTF-16 code units, not by code points or UTF-8. */
    @Test
    void sortsKeysByUtf16CodeUnits() throws Exception {
        String input = """
                {
                  "\\u20ac": "Euro Sign",
                  "\\r": "Carriage Return",
                  "\\ufb33": "Hebrew Letter Dalet With Dagesh",
                  "1": "One",
                  "\\ud83d\\ude00": "Emoji: Grinning Face",
                  "\\u0080": "Control",
                  "\\u00f6": "Latin Small Letter O With Diaeresis"
                }""";
        String expected = "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u0080\":\"Control\","
                + "\"\u00f6\":\"Latin Small Letter O With Diaeresis\",\"\u20ac\":\"Euro Sign\","
                + "\"\ud83d\ude00\":\"Emoji: Grinning Face\",\"\ufb33\":\"Hebrew Letter Dalet With Dagesh\"}";
        assertEquals(expected, canonical(input));
    }

    /** U+1F600 (surrogates D83D DE00) sorts before U+FB33 in UTF-16 although its code point is larger. */
    @Test
    void supplementaryCharacterSortsBeforeHighBmpCharacter() throws Exception {
        assertEquals("{\"\ud83d\ude00\":1,\"\ufb33\":2}", canonical("{\"\ufb33\":2,\"\ud83d\ude00\":1}"));
    }

    /** RFC 8785 section 3.2.2: the complete example, byte for byte (hex from the RFC). */
    @Test
    void fullExampleFromRfc() throws Exception {
        String input = """
                {
                  "numbers": [333333333.33333329, 1E30, 4.50,
                              2e-3, 0.000000000000000000000000001],
                  "string": "\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\"\\/",
                  "literals": [null, true, false]
                }""";
        String expected = "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],"
                + "\"string\":\"\u20ac$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}";
        byte[] bytes = CanonicalJson.canonicalize(CanonicalJson.parseObject(input.getBytes(StandardCharsets.UTF_8)));
        assertEquals(expected, utf8(bytes));
        // The RFC lists the UTF-8 bytes; the Euro sign is e2 82 ac and \u000F stays escaped.
        String hex = java.util.HexFormat.of().formatHex(bytes);
        assertEquals("7b226c69746572616c73223a5b6e756c6c2c747275652c66616c73655d2c226e756d62657273223a5b33"
                + "33333333333333332e333333333333332c31652b33302c342e352c302e3030322c31652d32375d2c22737472696e67223a"
                + "22e282ac245c75303030665c6e4127425c225c5c5c5c5c222f227d", hex);
    }

    @Test
    void nestedObjectsAndArraysAreCanonicalizedRecursively() throws Exception {
        assertEquals("{\"a\":[{\"x\":1,\"y\":2}],\"b\":{\"c\":{},\"d\":[]}}",
                canonical(" { \"b\" : { \"d\" : [ ] , \"c\" : { } } ,\n\t\"a\":[{\"y\":2,\"x\":1}] } "));
    }

    @Test
    void canonicalizeWithoutDropsOnlyTheNamedTopLevelMember() throws Exception {
        ObjectNode o = CanonicalJson.parseObject("{\"sig\":{\"a\":1},\"b\":{\"sig\":2},\"a\":1}".getBytes(StandardCharsets.UTF_8));
        assertEquals("{\"a\":1,\"b\":{\"sig\":2}}", utf8(CanonicalJson.canonicalizeWithout(o, "sig")));
        assertEquals("{\"a\":1,\"b\":{\"sig\":2},\"sig\":{\"a\":1}}", utf8(CanonicalJson.canonicalizeWithout(o, "absent")));
    }

    // ---------------------------------------------------------------- strings

    @Test
    void shortEscapesForTheFiveNamedControls() throws Exception {
        assertEquals("\"\\b\\f\\n\\r\\t\"", canonicalString("\b\f\n\r\t"));
    }

    @Test
    void quoteAndBackslashEscapedButSolidusNot() throws Exception {
        assertEquals("\"\\\"\\\\/\"", canonicalString("\"\\/"));
    }

    @ParameterizedTest
    @CsvSource({"0, \\u0000", "1, \\u0001", "11, \\u000b", "14, \\u000e", "15, \\u000f", "26, \\u001a", "31, \\u001f"})
    void otherControlsAsLowercaseUnicodeEscapes(int code, String escaped) throws Exception {
        assertEquals("\"" + escaped + "\"", canonicalString(String.valueOf((char) code)));
    }

    @Test
    void firstCharacterAfterControlsAndDelIsLiteral() throws Exception {
        assertEquals("\" \u007f\"", canonicalString(" \u007f"));
    }

    @Test
    void nonAsciiAndEmojiStayLiteralUtf8() throws Exception {
        ObjectNode o = JsonNodeFactory.instance.objectNode().put("s", "\u00e9\u20ac\ud83d\ude00\u2028");
        byte[] bytes = CanonicalJson.canonicalize(o);
        assertArrayEquals("{\"s\":\"\u00e9\u20ac\ud83d\ude00\u2028\"}".getBytes(StandardCharsets.UTF_8), bytes);
        assertEquals("7b2273223a22c3a9e282acf09f9880e280a8227d", java.util.HexFormat.of().formatHex(bytes));
    }

    @Test
    void escapedNonAsciiInInputIsWrittenLiterally() throws Exception {
        assertEquals("{\"s\":\"\u00e9\ud83d\ude00\"}", canonical("{\"s\":\"\\u00E9\\uD83D\\uDE00\"}"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"\ud800", "a\ud800", "\ud800a", "\udc00", "x\ude00y", "\ude00\ud83d", "\ud83d\ud83d"})
    void unpairedSurrogatesAreRejected(String value) {
        assertThrows(InvalidJsonException.class, () -> canonicalString(value));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"s\":\"\\ud800\"}", "{\"s\":\"\\udc00\"}", "{\"\\ud800\":1}", "{\"a\":[\"\\ude00\\ud83d\"]}"})
    void loneSurrogateEscapesParseButDoNotCanonicalize(String json) throws Exception {
        ObjectNode parsed = CanonicalJson.parseObject(json.getBytes(StandardCharsets.UTF_8));
        assertThrows(InvalidJsonException.class, () -> CanonicalJson.canonicalize(parsed));
    }

    // ---------------------------------------------------------------- numbers

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "0, 0",
            "-0.0, 0",
            "1e21, 1e+21",
            "1e20, 100000000000000000000",
            "1e-7, 1e-7",
            "1e-6, 0.000001",
            "0.000001, 0.000001",
            "123456789012345680000, 123456789012345680000",
            "4.5, 4.5",
            "2e-3, 0.002",
            "1.0, 1",
            "-1.5, -1.5",
            "5e-324, 5e-324",
            "1.7976931348623157e308, 1.7976931348623157e+308",
            "333333333.33333329, 333333333.3333333",
            "9007199254740991, 9007199254740991",
            "9007199254740992, 9007199254740992",
            "0.1, 0.1",
            "1e-27, 1e-27",
            "1e30, 1e+30",
    })
    void formatsLikeEcmaScript(double value, String expected) throws Exception {
        assertEquals(expected, CanonicalJson.formatDouble(value));
    }

    /** RFC 8785 Appendix B, by IEEE 754 bit pattern (checked against V8's Number.prototype.toString). */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "0000000000000000, 0",
            "8000000000000000, 0",
            "0000000000000001, 5e-324",
            "8000000000000001, -5e-324",
            "7fefffffffffffff, 1.7976931348623157e+308",
            "ffefffffffffffff, -1.7976931348623157e+308",
            "4340000000000000, 9007199254740992",
            "c340000000000000, -9007199254740992",
            "4430000000000000, 295147905179352830000",
            "44b52d02c7e14af5, 9.999999999999997e+22",
            "44b52d02c7e14af6, 1e+23",
            "44b52d02c7e14af7, 1.0000000000000001e+23",
            "444b1ae4d6e2ef4e, 999999999999999700000",
            "444b1ae4d6e2ef4f, 999999999999999900000",
            "444b1ae4d6e2ef50, 1e+21",
            "3eb0c6f7a0b5ed8c, 9.999999999999997e-7",
            "3eb0c6f7a0b5ed8d, 0.000001",
            "41b3de4355555553, 333333333.3333332",
            "41b3de4355555554, 333333333.33333325",
            "41b3de4355555555, 333333333.3333333",
            "41b3de4355555556, 333333333.3333334",
            "41b3de4355555557, 333333333.33333343",
            "becbf647612f3696, -0.0000033333333333333333",
            "43143ff3c1cb0959, 1424953923781206.2",
    })
    void rfc8785AppendixB(String bits, String expected) throws Exception {
        double d = Double.longBitsToDouble(Long.parseUnsignedLong(bits, 16));
        assertEquals(expected, CanonicalJson.formatDouble(d));
    }

    /** JDK's Double.toString prints 4.9E-324 etc.; ECMAScript needs the single shortest digit. */
    @ParameterizedTest(name = "{0} x MIN_VALUE -> {1}")
    @CsvSource({"1, 5e-324", "2, 1e-323", "3, 1.5e-323", "10, 5e-323", "20, 1e-322", "-1, -5e-324"})
    void subnormalsUseFewestDigits(int multiple, String expected) throws Exception {
        assertEquals(expected, CanonicalJson.formatDouble(multiple * Double.MIN_VALUE));
    }

    @Test
    void formattingRoundTrips() throws Exception {
        java.util.Random random = new java.util.Random(8785);
        for (int i = 0; i < 20_000; i++) {
            double d = Double.longBitsToDouble(random.nextLong());
            if (!Double.isFinite(d)) {
                continue;
            }
            String s = CanonicalJson.formatDouble(d);
            assertEquals(d == 0 ? 0.0 : d, Double.parseDouble(s), s);
        }
    }

    @Test
    void nanAndInfinityAreRejected() {
        assertThrows(InvalidJsonException.class, () -> CanonicalJson.formatDouble(Double.NaN));
        assertThrows(InvalidJsonException.class, () -> CanonicalJson.formatDouble(Double.POSITIVE_INFINITY));
        assertThrows(InvalidJsonException.class, () -> CanonicalJson.formatDouble(Double.NEGATIVE_INFINITY));
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.set("x", DoubleNode.valueOf(Double.NaN));
        assertThrows(InvalidJsonException.class, () -> CanonicalJson.canonicalize(o));
    }

    @Test
    void numbersInJsonTextFollowTheSameRules() throws Exception {
        assertEquals("{\"b\":0,\"c\":1,\"d\":1e+21,\"e\":123456789012345680000,\"f\":1e-7}",
                canonical("{\"b\":-0.0,\"c\":1.000,\"d\":1E21,\"e\":1.2345678901234568e20,\"f\":0.0000001}"));
    }

    @Test
    void theIntegerLiteralMinusZeroIsRefusedAsSuchAtAnyDepth() {
        // JCS would write it as 0, so "seq":-0 and "seq":0 would be one signed message: the parser refuses it.
        for (String json : new String[]{"{\"a\":-0}", "{\"a\":[1,-0]}", "{\"a\":{\"b\":-0}}"}) {
            InvalidJsonException e = assertThrows(InvalidJsonException.class,
                    () -> CanonicalJson.parseObject(json.getBytes(java.nio.charset.StandardCharsets.UTF_8)), json);
            assertTrue(e.isNegativeZero(), json);
        }
        InvalidJsonException bom = assertThrows(InvalidJsonException.class, () -> CanonicalJson.parseObject(
                new byte[]{(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, '{', '}'}));
        assertFalse(bom.isNegativeZero());
    }

    @Test
    void largestSafeIntegerIsAccepted() throws Exception {
        assertEquals("{\"n\":9007199254740991}", canonical("{\"n\":9007199254740991}"));
        assertEquals("{\"n\":-9007199254740991}", canonical("{\"n\":-9007199254740991}"));
        assertEquals(9007199254740991L, CanonicalJson.MAX_SAFE_INTEGER);
    }

    @ParameterizedTest
    @ValueSource(strings = {"9007199254740992", "-9007199254740992", "9007199254740993", "9223372036854775807",
            "18446744073709551616", "123456789012345680000"})
    void integersBeyondTwoToThe53AreRejected(String literal) throws Exception {
        ObjectNode parsed = CanonicalJson.parseObject(("{\"n\":" + literal + "}").getBytes(StandardCharsets.UTF_8));
        assertThrows(InvalidJsonException.class, () -> CanonicalJson.canonicalize(parsed));
    }

    @Test
    void integerNodesBuiltInCodeAreCheckedToo() throws Exception {
        ObjectNode ok = JsonNodeFactory.instance.objectNode();
        ok.set("n", LongNode.valueOf(CanonicalJson.MAX_SAFE_INTEGER));
        assertEquals("{\"n\":9007199254740991}", utf8(CanonicalJson.canonicalize(ok)));
        ObjectNode tooBig = JsonNodeFactory.instance.objectNode();
        tooBig.set("n", LongNode.valueOf(CanonicalJson.MAX_SAFE_INTEGER + 1));
        assertThrows(InvalidJsonException.class, () -> CanonicalJson.canonicalize(tooBig));
    }

    // ---------------------------------------------------------------- strict parsing

    private static void rejected(String json) {
        assertThrows(InvalidJsonException.class, () -> CanonicalJson.parseObject(json.getBytes(StandardCharsets.UTF_8)));
    }

    private static String nested(int depth) {
        return "{\"a\":".repeat(depth - 1) + "{}" + "}".repeat(depth - 1);
    }

    @Test
    void acceptsAPlainObject() throws Exception {
        ObjectNode o = CanonicalJson.parseObject("{\"a\":1,\"b\":\"x\"}".getBytes(StandardCharsets.UTF_8));
        assertEquals(2, o.size());
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"a\":1,\"a\":1}", "{\"a\":1,\"b\":2,\"a\":3}", "{\"o\":{\"x\":1,\"x\":2}}",
            "{\"a\":[{\"k\":1,\"k\":1}]}"})
    void duplicateKeysAnywhereAreRejected(String json) {
        rejected(json);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"a\":1} {\"b\":2}", "{\"a\":1}x", "{\"a\":1}]", "{\"a\":1}}", "{\"a\":1},", "{\"a\":1} 1",
            "{\"a\":1}null"})
    void trailingTokensAreRejected(String json) {
        rejected(json);
    }

    @Test
    void trailingWhitespaceIsFine() throws Exception {
        CanonicalJson.parseObject("{\"a\":1} \n\t ".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void depthSixteenIsAcceptedSeventeenIsNot() throws Exception {
        assertEquals(CanonicalJson.MAX_DEPTH, 16);
        CanonicalJson.parseObject(nested(16).getBytes(StandardCharsets.UTF_8));
        rejected(nested(17));
        // Arrays count toward the same depth.
        CanonicalJson.parseObject(("{\"a\":" + "[".repeat(15) + "]".repeat(15) + "}").getBytes(StandardCharsets.UTF_8));
        rejected("{\"a\":" + "[".repeat(16) + "]".repeat(16) + "}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"a\":NaN}", "{\"a\":Infinity}", "{\"a\":-Infinity}", "{\"a\":+1}", "{\"a\":01}",
            "{\"a\":.5}", "{\"a\":1.}", "{\"a\":0x10}"})
    void nonJsonNumbersAreRejected(String json) {
        rejected(json);
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "[{\"a\":1}]", "\"s\"", "1", "true", "null", "", "   "})
    void nonObjectRootsAreRejected(String json) {
        rejected(json);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{", "{\"a\":}", "{\"a\" 1}", "{'a':1}", "{a:1}", "{\"a\":1,}", "{\"a\":[1,]}",
            "{\"a\":\"x\ny\"}", "{\"a\":\"\\x\"}", "{\"a\":tru}", "{/*c*/\"a\":1}"})
    void malformedJsonIsRejected(String json) {
        rejected(json);
    }

    @Test
    void invalidUtf8IsRejected() {
        byte[] bad = {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, '"', '}'};
        assertThrows(InvalidJsonException.class, () -> CanonicalJson.parseObject(bad));
    }
}
