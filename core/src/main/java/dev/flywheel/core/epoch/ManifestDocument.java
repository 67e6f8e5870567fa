package dev.flywheel.core.epoch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.flywheel.core.crypto.Encoding;
import dev.flywheel.core.json.CanonicalJson;
import dev.flywheel.core.json.InvalidJsonException;
import dev.flywheel.core.reward.EpochAllocation;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.util.Map;
import java.util.TreeMap;

/**
 * The canonical (RFC 8785) manifest of a closed epoch: the rules version and its full text, every
 * pool's inputs and outcome, every cut and device allocation, and the unallocated amounts by
 * reason. Amounts are decimal strings, since JCS numbers are doubles. Its SHA-256 ({@code
 * manifestHash}) goes on chain with the root. The allocation list is written entry by entry, so a
 * million devices never become one JSON tree.
 */
public final class ManifestDocument {
    public static final String SCHEMA = "flywheel.epoch-manifest/1";

    private ManifestDocument() {
    }

    public static byte[] canonicalBytes(EpochAllocation a, String rootHex, BigInteger totalCumulative) {
        return canonicalBytes(a, rootHex, totalCumulative, null);
    }

    /**
     * @param densityCells the H3 cell of every device the density scaling counted, as read at close (null when no
     *                     pool is density-scaled): recorded as {@code densityCells} so a recompute scales with the
     *                     cells of the close, not where the devices are now
     */
    public static byte[] canonicalBytes(EpochAllocation a, String rootHex, BigInteger totalCumulative,
                                        Map<String, String> densityCells) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(4096 + a.devices().size() * 280
                + (densityCells == null ? 0 : densityCells.size() * 48));
        write(a, rootHex, totalCumulative, densityCells, out);
        return out.toByteArray();
    }

    /**
     * The {@code densityCells} a stored manifest recorded, or empty when it has none (no scaled pool, or closed
     * before cells were recorded). Streams past every other member: a manifest can be hundreds of MB.
     */
    public static java.util.Optional<java.util.Map<String, String>> densityCells(byte[] document) {
        try (com.fasterxml.jackson.core.JsonParser p = new com.fasterxml.jackson.core.JsonFactory().createParser(document)) {
            if (p.nextToken() != com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
                return java.util.Optional.empty();
            }
            while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
                String name = p.currentName();
                com.fasterxml.jackson.core.JsonToken value = p.nextToken();
                if (name.equals("densityCells") && value == com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
                    java.util.Map<String, String> cells = new java.util.HashMap<>();
                    while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
                        String device = p.currentName();
                        p.nextToken();
                        cells.put(device, p.getText());
                    }
                    return java.util.Optional.of(cells);
                }
                p.skipChildren();
            }
            return java.util.Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("stored manifest is not JSON", e);
        }
    }

    /** 0x-hex SHA-256 of canonical bytes. */
    public static String hash(byte[] canonical) {
        // The JDK's SHA-256 (CPU intrinsics): a million-device manifest is hundreds of MB.
        try {
            return Encoding.hex0x(java.security.MessageDigest.getInstance("SHA-256").digest(canonical));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }

    public static void write(EpochAllocation a, String rootHex, BigInteger totalCumulative, OutputStream out) {
        write(a, rootHex, totalCumulative, null, out);
    }

    public static void write(EpochAllocation a, String rootHex, BigInteger totalCumulative,
                             Map<String, String> densityCells, OutputStream out) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        // Members in RFC 8785 order (UTF-16 code units; all keys are ASCII, so String order).
        Map<String, Object> members = new TreeMap<>();
        members.put("schema", f.textNode(SCHEMA));
        members.put("epoch", f.textNode(Long.toString(a.epoch())));
        members.put("configVersion", f.textNode(a.rules().version()));
        members.put("rules", a.rules().toJson());
        members.put("emission", f.textNode(a.emission().toString()));
        members.put("allocated", f.textNode(a.allocated().toString()));
        members.put("unallocated", f.textNode(a.unallocated().toString()));
        members.put("unallocatedByReason", amounts(a.unallocatedByReason()));
        members.put("totalUnits", f.textNode(Long.toString(a.totalUnits())));
        ObjectNode unpooled = f.objectNode();
        a.unpooledUnits().forEach((k, v) -> unpooled.put(k, Long.toString(v)));
        members.put("unpooledUnits", unpooled);
        members.put("root", rootHex == null ? f.nullNode() : f.textNode(rootHex));
        members.put("totalCumulative", f.textNode(totalCumulative.toString()));
        ArrayNode pools = f.arrayNode();
        for (EpochAllocation.PoolResult p : a.pools()) {
            pools.addObject().put("name", p.name()).put("emission", p.emission().toString())
                    .put("units", Long.toString(p.units())).put("weight", p.weight().toString())
                    .put("allocated", p.allocated().toString()).set("unallocated", amounts(p.unallocated()));
        }
        members.put("pools", pools);
        ArrayNode cuts = f.arrayNode();
        for (EpochAllocation.CutResult c : a.cuts()) {
            cuts.addObject().put("name", c.name()).put("account", c.account()).put("amount", c.amount().toString());
        }
        members.put("cuts", cuts);
        members.put("allocations", (Allocations) () -> a);
        if (densityCells != null) {
            members.put("densityCells", new Cells(densityCells));
        }
        try {
            out.write('{');
            boolean first = true;
            for (Map.Entry<String, Object> m : members.entrySet()) {
                if (!first) {
                    out.write(',');
                }
                first = false;
                out.write(canonical(TextNode.valueOf(m.getKey())));
                out.write(':');
                if (m.getValue() instanceof Allocations) {
                    writeAllocations(a, out);
                } else if (m.getValue() instanceof Cells cells) {
                    writeCells(cells.cells(), out);
                } else {
                    out.write(canonical((JsonNode) m.getValue()));
                }
            }
            out.write('}');
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the manifest", e);
        }
    }

    /** Marker for the streamed member. */
    @FunctionalInterface
    private interface Allocations {
        EpochAllocation allocation();
    }

    /**
     * Each entry is written in canonical form directly (members in sorted order, strings escaped as RFC 8785
     * does): building a JSON tree per device was most of a million-device close. A test checks the bytes
     * against CanonicalJson.
     */
    private static void writeAllocations(EpochAllocation a, OutputStream out) throws IOException {
        // Pool members inside an entry are sorted by name; the split keeps them in configuration order.
        Integer[] order = new Integer[a.pools().size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, java.util.Comparator.comparing(i -> a.pools().get(i).name()));
        String[] names = new String[order.length];
        for (int i = 0; i < order.length; i++) {
            names[i] = quoted(a.pools().get(order[i]).name());
        }
        StringBuilder sb = new StringBuilder(512);
        out.write('[');
        boolean first = true;
        for (EpochAllocation.DeviceAllocation d : a.devices()) {
            sb.setLength(0);
            if (!first) {
                sb.append(',');
            }
            first = false;
            sb.append("{\"amount\":\"").append(d.amount()).append("\",\"device\":");
            quote(d.deviceId(), sb);
            sb.append(",\"owner\":");
            quote(d.owner(), sb);
            sb.append(",\"pools\":{");
            boolean firstPool = true;
            for (int k = 0; k < order.length; k++) {
                int p = order[k];
                if (d.poolUnits()[p] != 0 || d.poolAmounts()[p].signum() != 0) {
                    if (!firstPool) {
                        sb.append(',');
                    }
                    firstPool = false;
                    sb.append(names[k]).append(":{\"amount\":\"").append(d.poolAmounts()[p])
                            .append("\",\"units\":\"").append(d.poolUnits()[p]).append("\"}");
                }
            }
            sb.append('}');
            if (d.scalePpb() >= 0) {
                sb.append(",\"scalePpb\":\"").append(d.scalePpb()).append('"');
            }
            sb.append(",\"units\":\"").append(d.rawUnits()).append("\"}");
            out.write(sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        out.write(']');
    }

    /** Marker for the streamed {@code densityCells} member. */
    private record Cells(Map<String, String> cells) {
    }

    /**
     * Device ids sorted once as an array (a million-entry TreeMap was a measurable part of a close), in String order:
     * UTF-16 code units, RFC 8785's member order (RewardPropertiesTest checks the bytes against CanonicalJson).
     */
    private static void writeCells(Map<String, String> cells, OutputStream out) throws IOException {
        String[] devices = cells.keySet().toArray(new String[0]);
        java.util.Arrays.parallelSort(devices);
        StringBuilder sb = new StringBuilder(64);
        out.write('{');
        for (int i = 0; i < devices.length; i++) {
            sb.setLength(0);
            if (i > 0) {
                sb.append(',');
            }
            quote(devices[i], sb);
            sb.append(':');
            quote(cells.get(devices[i]), sb);
            out.write(sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        out.write('}');
    }

    private static String quoted(String s) {
        StringBuilder sb = new StringBuilder();
        quote(s, sb);
        return sb.toString();
    }

    /** A JSON string as RFC 8785 writes it: only quote, backslash and control characters escaped. */
    private static void quote(String s, StringBuilder sb) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    private static ObjectNode amounts(Map<String, BigInteger> byReason) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        byReason.forEach((k, v) -> o.put(k, v.toString()));
        return o;
    }

    private static byte[] canonical(JsonNode node) {
        try {
            return CanonicalJson.canonicalize(node);
        } catch (InvalidJsonException e) {
            throw new IllegalStateException("manifest is not canonicalizable", e);
        }
    }
}
