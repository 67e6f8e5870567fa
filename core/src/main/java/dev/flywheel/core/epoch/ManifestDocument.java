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

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;

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
        List<Bytes> pieces = pieces(a, rootHex, totalCumulative, densityCells);
        long size = 0;
        for (Bytes b : pieces) {
            size += b.length;
        }
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("manifest of " + size + " bytes does not fit in one array");
        }
        byte[] doc = new byte[(int) size];
        int at = 0;
        for (Bytes b : pieces) {
            System.arraycopy(b.buf, 0, doc, at, b.length);
            at += b.length;
        }
        return doc;
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
        try {
            for (Bytes b : pieces(a, rootHex, totalCumulative, densityCells)) {
                out.write(b.buf, 0, b.length);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the manifest", e);
        }
    }

    /** The document in order, as pieces: the allocations and cells in chunks written in parallel. */
    private static List<Bytes> pieces(EpochAllocation a, String rootHex, BigInteger totalCumulative,
                                      Map<String, String> densityCells) {
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
        List<Bytes> out = new ArrayList<>();
        Bytes head = new Bytes(4096);
        head.add('{');
        boolean first = true;
        for (Map.Entry<String, Object> m : members.entrySet()) {
            if (!first) {
                head.add(',');
            }
            first = false;
            head.add(canonical(TextNode.valueOf(m.getKey())));
            head.add(':');
            if (m.getValue() instanceof Allocations) {
                out.add(head);
                out.addAll(allocations(a));
                head = new Bytes(4096);
            } else if (m.getValue() instanceof Cells cells) {
                out.add(head);
                out.addAll(cells(a, cells.cells()));
                head = new Bytes(4096);
            } else {
                head.add(canonical((JsonNode) m.getValue()));
            }
        }
        head.add('}');
        out.add(head);
        return out;
    }

    /** Marker for the streamed member. */
    @FunctionalInterface
    private interface Allocations {
        EpochAllocation allocation();
    }

    /** Entries per chunk: one task, written on its own buffer (about 600 KB, kept below G1's humongous size). */
    private static final int CHUNK = 2_048;

    /**
     * Each entry is written in canonical form directly (members in sorted order, strings escaped as RFC 8785
     * does): building a JSON tree per device was most of a million-device close. Chunks of entries are written in
     * parallel, each into its own buffer, and kept in order. A test checks the bytes against CanonicalJson.
     */
    private static List<Bytes> allocations(EpochAllocation a) {
        // Pool members inside an entry are sorted by name; the split keeps them in configuration order.
        Integer[] order = new Integer[a.pools().size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, java.util.Comparator.comparing(i -> a.pools().get(i).name()));
        int[] pool = new int[order.length];
        byte[][] names = new byte[order.length][];
        for (int i = 0; i < order.length; i++) {
            pool[i] = order[i];
            StringBuilder sb = new StringBuilder();
            quote(a.pools().get(order[i]).name(), sb);
            names[i] = sb.append(":{\"amount\":\"").toString().getBytes(StandardCharsets.UTF_8);
        }
        List<EpochAllocation.DeviceAllocation> devices = a.devices();
        int chunks = (devices.size() + CHUNK - 1) / CHUNK;
        Bytes[] parts = new Bytes[chunks + 2];
        parts[0] = new Bytes(1).add('[');
        parts[chunks + 1] = new Bytes(1).add(']');
        IntStream.range(0, chunks).parallel().forEach(c -> {
            int from = c * CHUNK;
            int to = Math.min(devices.size(), from + CHUNK);
            Bytes b = new Bytes((to - from) * 300);
            for (int i = from; i < to; i++) {
                EpochAllocation.DeviceAllocation d = devices.get(i);
                if (i > 0) {
                    b.add(',');
                }
                b.ascii("{\"amount\":\"").decimal(d.amount()).ascii("\",\"device\":").quoted(d.deviceId())
                        .ascii(",\"owner\":").quoted(d.owner()).ascii(",\"pools\":{");
                boolean firstPool = true;
                for (int k = 0; k < pool.length; k++) {
                    int p = pool[k];
                    if (d.poolUnits()[p] != 0 || d.hasPoolAmount(p)) {
                        if (!firstPool) {
                            b.add(',');
                        }
                        firstPool = false;
                        b.add(names[k]).decimal(d.poolAmount(p)).ascii("\",\"units\":\"").decimal(d.poolUnits()[p])
                                .ascii("\"}");
                    }
                }
                b.add('}');
                if (d.scalePpb() >= 0) {
                    b.ascii(",\"scalePpb\":\"").decimal(d.scalePpb()).add('"');
                }
                b.ascii(",\"units\":\"").decimal(d.rawUnits()).ascii("\"}");
            }
            parts[c + 1] = b;
        });
        return List.of(parts);
    }

    /** Marker for the streamed {@code densityCells} member. */
    private record Cells(Map<String, String> cells) {
    }

    /**
     * Device ids in String order: UTF-16 code units, RFC 8785's member order (RewardPropertiesTest checks the bytes
     * against CanonicalJson). The allocations are in that order already, so when every cell is an allocated
     * device's (no lookback epochs) their order is taken; otherwise the ids are sorted once as an array (a
     * million-entry TreeMap was a measurable part of a close). Written in parallel chunks, as the allocations.
     */
    private static List<Bytes> cells(EpochAllocation a, Map<String, String> cells) {
        String[] devices = new String[cells.size()];
        String[] values = new String[cells.size()];
        int n = 0;
        for (EpochAllocation.DeviceAllocation d : a.devices()) {
            String cell;
            if (n < devices.length && (cell = cells.get(d.deviceId())) != null) {
                devices[n] = d.deviceId();
                values[n++] = cell;
            }
        }
        if (n < devices.length) {
            devices = cells.keySet().toArray(new String[0]);
            java.util.Arrays.parallelSort(devices);
            for (int i = 0; i < devices.length; i++) {
                values[i] = cells.get(devices[i]);
            }
        }
        String[] sorted = devices;
        int chunks = (sorted.length + CHUNK - 1) / CHUNK;
        Bytes[] parts = new Bytes[chunks + 2];
        parts[0] = new Bytes(1).add('{');
        parts[chunks + 1] = new Bytes(1).add('}');
        IntStream.range(0, chunks).parallel().forEach(c -> {
            int from = c * CHUNK;
            int to = Math.min(sorted.length, from + CHUNK);
            Bytes b = new Bytes((to - from) * 48);
            for (int i = from; i < to; i++) {
                if (i > 0) {
                    b.add(',');
                }
                b.quoted(sorted[i]).add(':').quoted(values[i]);
            }
            parts[c + 1] = b;
        });
        return List.of(parts);
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

    /** A growable byte buffer that writes JSON pieces as UTF-8, without a String per entry. */
    private static final class Bytes {
        private byte[] buf;
        private int length;

        Bytes(int capacity) {
            buf = new byte[Math.max(16, capacity)];
        }

        private void room(int n) {
            if (length + n > buf.length) {
                buf = java.util.Arrays.copyOf(buf, Math.max(length + n, buf.length * 2));
            }
        }

        Bytes add(int b) {
            room(1);
            buf[length++] = (byte) b;
            return this;
        }

        Bytes add(byte[] bytes) {
            room(bytes.length);
            System.arraycopy(bytes, 0, buf, length, bytes.length);
            length += bytes.length;
            return this;
        }

        /** Text known to be printable ASCII that needs no escaping. */
        Bytes ascii(String s) {
            room(s.length());
            for (int i = 0; i < s.length(); i++) {
                buf[length++] = (byte) s.charAt(i);
            }
            return this;
        }

        /** A JSON string as {@link #quote} writes it, then UTF-8: printable ASCII directly, anything else through it. */
        Bytes quoted(String s) {
            int start = length;
            room(s.length() + 2);
            buf[length++] = '"';
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c < 0x20 || c >= 0x7F || c == '"' || c == '\\') {
                    length = start;
                    return add(ManifestDocument.quoted(s).getBytes(StandardCharsets.UTF_8));
                }
                buf[length++] = (byte) c;
            }
            buf[length++] = '"';
            return this;
        }

        Bytes decimal(long v) {
            if (v < 0) {
                return ascii(Long.toString(v));
            }
            room(19);
            int start = length;
            do {
                buf[length++] = (byte) ('0' + v % 10);
                v /= 10;
            } while (v != 0);
            for (int i = start, j = length - 1; i < j; i++, j--) {
                byte t = buf[i];
                buf[i] = buf[j];
                buf[j] = t;
            }
            return this;
        }

        Bytes decimal(BigInteger v) {
            return v.bitLength() < 64 ? decimal(v.longValue()) : ascii(v.toString());
        }
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
