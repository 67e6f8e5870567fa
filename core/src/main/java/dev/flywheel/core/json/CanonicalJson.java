package dev.flywheel.core.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Strict I-JSON parsing and RFC 8785 (JCS) canonical serialization.
 *
 * <p>Devices sign the canonical bytes, so any JSON formatting on the wire verifies the same. Input
 * that JCS cannot represent exactly (duplicate keys, lone surrogates, integers beyond 2^53,
 * NaN) is refused rather than silently normalised, because two different wire messages must
 * never canonicalize to the same signed bytes by accident.
 */
public final class CanonicalJson {

    /** Largest integer a JCS (IEEE double) number represents exactly. */
    public static final long MAX_SAFE_INTEGER = (1L << 53) - 1;
    public static final int MAX_DEPTH = 16;

    private static final ObjectMapper MAPPER = JsonMapper.builder(
                    JsonFactory.builder()
                            .streamReadConstraints(StreamReadConstraints.builder()
                                    .maxNestingDepth(MAX_DEPTH)
                                    .maxNumberLength(40)
                                    .maxStringLength(64 * 1024)
                                    .build())
                            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                            .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private CanonicalJson() {
    }

    /**
     * Parses strict JSON; the root must be an object. Refused besides what Jackson refuses: a leading UTF-8
     * byte-order mark (Jackson would skip it silently, so two different payloads would parse alike) and the
     * integer literal {@code -0} (Jackson reads it as 0, so {@code "seq":-0} would pass as {@code "seq":0};
     * {@link InvalidJsonException#isNegativeZero()} tells it apart). A float {@code -0.0} is left to RFC 8785,
     * which writes it as {@code 0}.
     */
    public static ObjectNode parseObject(byte[] utf8) throws InvalidJsonException {
        if (utf8.length >= 3 && (utf8[0] & 0xFF) == 0xEF && (utf8[1] & 0xFF) == 0xBB && (utf8[2] & 0xFF) == 0xBF) {
            throw new InvalidJsonException("malformed JSON: the payload starts with a UTF-8 byte-order mark");
        }
        JsonNode node;
        try (JsonParser parser = new NegativeZeroGuard(MAPPER.createParser(utf8))) {
            node = MAPPER.readTree(parser);
        } catch (NegativeZeroFound e) {
            throw InvalidJsonException.negativeZero();
        } catch (IOException | RuntimeException e) {
            throw new InvalidJsonException("malformed JSON: " + firstLine(e.getMessage()));
        }
        if (!(node instanceof ObjectNode object)) {
            throw new InvalidJsonException("top-level value must be a JSON object");
        }
        return object;
    }

    /** RFC 8785 canonical UTF-8 bytes of {@code node}. */
    public static byte[] canonicalize(JsonNode node) throws InvalidJsonException {
        StringBuilder out = new StringBuilder(256);
        write(node, out);
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Canonical bytes of {@code object} without the member {@code excluded} (e.g. the signature). */
    public static byte[] canonicalizeWithout(ObjectNode object, String excluded) throws InvalidJsonException {
        StringBuilder out = new StringBuilder(256);
        writeObject(object, excluded, out);
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    private static void write(JsonNode node, StringBuilder out) throws InvalidJsonException {
        switch (node.getNodeType()) {
            case OBJECT -> writeObject((ObjectNode) node, null, out);
            case ARRAY -> {
                out.append('[');
                for (int i = 0; i < node.size(); i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    write(node.get(i), out);
                }
                out.append(']');
            }
            case STRING -> writeString(node.textValue(), out);
            case NUMBER -> writeNumber(node, out);
            case BOOLEAN -> out.append(node.booleanValue());
            case NULL -> out.append("null");
            default -> throw new InvalidJsonException("unsupported JSON value: " + node.getNodeType());
        }
    }

    private static void writeObject(ObjectNode object, String excluded, StringBuilder out) throws InvalidJsonException {
        List<String> names = new ArrayList<>(object.size());
        for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!name.equals(excluded)) {
                names.add(name);
            }
        }
        // JCS orders members by UTF-16 code units, which is exactly String.compareTo.
        names.sort(String::compareTo);
        out.append('{');
        boolean first = true;
        for (String name : names) {
            if (!first) {
                out.append(',');
            }
            first = false;
            writeString(name, out);
            out.append(':');
            write(object.get(name), out);
        }
        out.append('}');
    }

    static void writeString(String s, StringBuilder out) throws InvalidJsonException {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    throw new InvalidJsonException("string contains an unpaired surrogate");
                }
                out.append(c).append(s.charAt(++i));
                continue;
            }
            if (Character.isLowSurrogate(c)) {
                throw new InvalidJsonException("string contains an unpaired surrogate");
            }
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append("\\u00").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xF, 16));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static void writeNumber(JsonNode node, StringBuilder out) throws InvalidJsonException {
        if (node.isIntegralNumber()) {
            BigInteger value = node.bigIntegerValue();
            if (value.abs().compareTo(BigInteger.valueOf(MAX_SAFE_INTEGER)) > 0) {
                throw new InvalidJsonException("integer outside the exact range of JSON numbers (2^53): " + value);
            }
            out.append(value.longValue());
            return;
        }
        out.append(formatDouble(node.doubleValue()));
    }

    /** ECMAScript Number.prototype.toString, which RFC 8785 mandates for numbers. */
    public static String formatDouble(double d) throws InvalidJsonException {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            throw new InvalidJsonException("NaN and Infinity are not JSON numbers");
        }
        if (d == 0) {
            return "0";
        }
        // Since JDK 19 Double.toString yields the shortest round-tripping digits, as ECMAScript requires.
        BigDecimal exact = new BigDecimal(Double.toString(Math.abs(d))).stripTrailingZeros();
        if (exact.precision() == 2) {
            exact = oneDigitIfItRoundTrips(Math.abs(d), exact);
        }
        String digits = exact.unscaledValue().toString();
        int k = digits.length();
        int n = k - exact.scale();
        StringBuilder s = new StringBuilder(24);
        if (d < 0) {
            s.append('-');
        }
        if (k <= n && n <= 21) {
            s.append(digits).append("0".repeat(n - k));
        } else if (0 < n && n <= 21) {
            s.append(digits, 0, n).append('.').append(digits, n, k);
        } else if (-6 < n && n <= 0) {
            s.append("0.").append("0".repeat(-n)).append(digits);
        } else {
            int e = n - 1;
            s.append(digits.charAt(0));
            if (k > 1) {
                s.append('.').append(digits, 1, k);
            }
            s.append('e').append(e < 0 ? '-' : '+').append(Math.abs(e));
        }
        return s.toString();
    }

    /**
     * JDK's Double.toString may print two digits where one already round-trips, if the two-digit
     * decimal is closer (only among subnormals: 4.9E-324 for Double.MIN_VALUE). ECMAScript wants
     * the fewest digits first ("5e-324"), then the closest of those.
     */
    private static BigDecimal oneDigitIfItRoundTrips(double abs, BigDecimal twoDigits) {
        BigDecimal value = new BigDecimal(abs);
        BigDecimal best = null;
        for (RoundingMode mode : new RoundingMode[] {RoundingMode.FLOOR, RoundingMode.CEILING}) {
            BigDecimal candidate = value.round(new MathContext(1, mode));
            if (Double.parseDouble(candidate.toString()) != abs) {
                continue;
            }
            if (best == null) {
                best = candidate;
                continue;
            }
            int cmp = candidate.subtract(value).abs().compareTo(best.subtract(value).abs());
            if (cmp < 0 || (cmp == 0 && !candidate.unscaledValue().testBit(0))) {
                best = candidate;
            }
        }
        return best == null ? twoDigits : best.stripTrailingZeros();
    }

    /** Carries a {@code -0} integer out of Jackson's tree reader, which only lets IOExceptions through. */
    private static final class NegativeZeroFound extends IOException {
        NegativeZeroFound() {
            super("-0", null);
        }
    }

    /** Looks at every integer token as the tree reader pulls it; the literal text is gone once it is a node. */
    private static final class NegativeZeroGuard extends com.fasterxml.jackson.core.util.JsonParserDelegate {
        NegativeZeroGuard(JsonParser parser) {
            super(parser);
        }

        @Override
        public com.fasterxml.jackson.core.JsonToken nextToken() throws IOException {
            com.fasterxml.jackson.core.JsonToken t = super.nextToken();
            if (t == com.fasterxml.jackson.core.JsonToken.VALUE_NUMBER_INT && getTextLength() == 2 && "-0".equals(getText())) {
                throw new NegativeZeroFound();
            }
            return t;
        }

        @Override
        public com.fasterxml.jackson.core.JsonToken nextValue() throws IOException {
            com.fasterxml.jackson.core.JsonToken t = super.nextValue();
            if (t == com.fasterxml.jackson.core.JsonToken.VALUE_NUMBER_INT && getTextLength() == 2 && "-0".equals(getText())) {
                throw new NegativeZeroFound();
            }
            return t;
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable input";
        }
        int nl = message.indexOf('\n');
        String line = nl < 0 ? message : message.substring(0, nl);
        return line.length() > 200 ? line.substring(0, 200) : line;
    }
}
