package dev.flywheel.dynamodb;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.math.BigInteger;
import java.util.Map;

/** Terse AttributeValue builders and readers for the low-level client. */
final class Attr {
    private Attr() {
    }

    static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }

    static AttributeValue n(BigInteger value) {
        return AttributeValue.fromN(value.toString());
    }

    static String str(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null ? null : v.s();
    }

    static long num(Map<String, AttributeValue> item, String name) {
        return Long.parseLong(item.get(name).n());
    }

    static BigInteger big(Map<String, AttributeValue> item, String name) {
        return new BigInteger(item.get(name).n());
    }

    /** Evidence values are numbers or strings; DynamoDB stores numbers as exact decimal strings. */
    static AttributeValue evidence(Object value) {
        return value instanceof Number number ? AttributeValue.fromN(number.toString()) : s(String.valueOf(value));
    }
}
