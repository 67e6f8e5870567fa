package dev.flywheel.dynamodb;

import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Pattern;

import static dev.flywheel.dynamodb.Attr.n;
import static dev.flywheel.dynamodb.Attr.s;

/**
 * One device's ledger state, the single item {@code P#<deviceId> / STATE} that every accepted proof of the device
 * rewrites with one conditional write (docs/architecture.md, "Proof ledger"). Attribute names are one or two letters
 * and the replay guard is packed into one binary attribute, because the item's size is what each write costs
 * (1 write unit per KB): a device sending a proof every few minutes keeps it under 1 KB.
 *
 * <ul>
 *   <li>{@code v}: version, the condition of every write (optimistic concurrency);</li>
 *   <li>{@code o}: the owner the device's credits pay;</li>
 *   <li>{@code g}: replay guard, one packed {@link GuardEntry} per accepted sequence number still inside the guard lifetime:
 *       it is also the device's recent accepted verdicts;</li>
 *   <li>{@code p}: the newest accepted proof per type ({@link StoredPrior});</li>
 *   <li>{@code u}: units per open epoch and pool: {@code {"<epoch>": {"<pool>": n}}};</li>
 *   <li>{@code f}: the fence, the newest epoch the closer has harvested for this device: no credit lands at or below it;</li>
 *   <li>{@code r}: accepted proofs per rate window {@code {"<window start s>": n}}, the newest few windows;</li>
 *   <li>{@code na}: accepted proofs over the device's life (operator totals);</li>
 *   <li>{@code cv}: epochs in which coverage windows credited the device ({@code P#<deviceId> / C#<epoch>#<proofId>} items),
 *       so the closer queries those only for devices that have them;</li>
 *   <li>{@code rj}: fingerprints of recently rejected deliveries {@code {"<fp>": <received s>}}: a redelivery of a rejected
 *       delivery is never accepted later (the device may have been registered in between).</li>
 * </ul>
 */
final class DeviceState {
    static final String SK = "STATE";
    static final int MAX_REJECTED_KEPT = 32;
    static final int RATE_WINDOWS_KEPT = 3;
    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");

    /** One accepted proof in the guard: enough to tell redelivery, replay and sequence reuse apart and to show the verdict. */
    record GuardEntry(long seq, long receivedAtMillis, long epoch, long clockSkewMillis, long units,
                      String deliveryId, String proofId) {
    }

    /** The newest accepted proof of a type, as {@link DynamoPriorProofs} hands it to the verifier. */
    record StoredPrior(long seq, long deviceTimeMillis, long receivedAtMillis, String h3Cell, long repeats, String body) {
        String encode() {
            return seq + "|" + deviceTimeMillis + "|" + receivedAtMillis + "|" + (h3Cell == null ? "" : h3Cell) + "|" + repeats + "|" + body;
        }

        static StoredPrior decode(String value) {
            String[] f = value.split("\\|", 6);
            return new StoredPrior(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]),
                    f[3].isEmpty() ? null : f[3], Long.parseLong(f[4]), f[5]);
        }
    }

    final String deviceId;
    /** Null for a device with no state item yet. */
    final Long version;
    String owner;
    final List<GuardEntry> guard;
    final Map<String, StoredPrior> priors;
    final TreeMap<Long, TreeMap<String, Long>> units;
    Long fence;
    final TreeMap<Long, Long> rate;
    long accepted;
    final Map<String, Long> rejected;
    final java.util.TreeSet<Long> coverageEpochs = new java.util.TreeSet<>();
    /** Read (eventually consistent) for the verifier's prior-proof check: see DynamoProofLedger#readForVerification. */
    boolean readForVerification;

    private DeviceState(String deviceId, Long version, String owner, List<GuardEntry> guard, Map<String, StoredPrior> priors,
                        TreeMap<Long, TreeMap<String, Long>> units, Long fence, TreeMap<Long, Long> rate, long accepted,
                        Map<String, Long> rejected) {
        this.deviceId = deviceId;
        this.version = version;
        this.owner = owner;
        this.guard = guard;
        this.priors = priors;
        this.units = units;
        this.fence = fence;
        this.rate = rate;
        this.accepted = accepted;
        this.rejected = rejected;
    }

    static DeviceState empty(String deviceId) {
        return new DeviceState(deviceId, null, null, new ArrayList<>(), new HashMap<>(), new TreeMap<>(), null,
                new TreeMap<>(), 0, new HashMap<>());
    }

    static Map<String, AttributeValue> key(String deviceId) {
        return DynamoProofLedger.key(partition(deviceId), SK);
    }

    static String partition(String deviceId) {
        return "P#" + deviceId;
    }

    boolean exists() {
        return version != null;
    }

    long lowestOpenEpoch() {
        return fence == null ? Long.MIN_VALUE : fence + 1;
    }

    GuardEntry guardFor(long seq) {
        for (GuardEntry e : guard) {
            if (e.seq() == seq) {
                return e;
            }
        }
        return null;
    }

    static DeviceState from(String deviceId, Map<String, AttributeValue> item) {
        if (item == null || item.isEmpty()) {
            return empty(deviceId);
        }
        List<GuardEntry> guard = item.containsKey("g") ? unpack(item.get("g").b().asByteArray()) : new ArrayList<>();
        Map<String, StoredPrior> priors = new HashMap<>();
        if (item.containsKey("p")) {
            item.get("p").m().forEach((type, v) -> priors.put(type, StoredPrior.decode(v.s())));
        }
        TreeMap<Long, TreeMap<String, Long>> units = new TreeMap<>();
        if (item.containsKey("u")) {
            item.get("u").m().forEach((epoch, pools) -> {
                TreeMap<String, Long> byPool = new TreeMap<>();
                pools.m().forEach((pool, value) -> byPool.put(pool, Long.parseLong(value.n())));
                units.put(Long.parseLong(epoch), byPool);
            });
        }
        TreeMap<Long, Long> rate = new TreeMap<>();
        if (item.containsKey("r")) {
            item.get("r").m().forEach((w, c) -> rate.put(Long.parseLong(w), Long.parseLong(c.n())));
        }
        Map<String, Long> rejected = new HashMap<>();
        if (item.containsKey("rj")) {
            item.get("rj").m().forEach((fp, at) -> rejected.put(fp, Long.parseLong(at.n())));
        }
        DeviceState state = new DeviceState(deviceId, Long.parseLong(item.get("v").n()), Attr.str(item, "o"), guard, priors,
                units, item.containsKey("f") ? Long.valueOf(item.get("f").n()) : null, rate,
                item.containsKey("na") ? Long.parseLong(item.get("na").n()) : 0, rejected);
        if (item.containsKey("cv")) {
            item.get("cv").ns().forEach(e -> state.coverageEpochs.add(Long.parseLong(e)));
        }
        return state;
    }

    /** The item to write as the next version; drops what nothing needs any more. */
    Map<String, AttributeValue> toItem() {
        Map<String, AttributeValue> item = new HashMap<>(key(deviceId));
        item.put("v", n(version == null ? 1 : version + 1));
        if (owner != null) {
            item.put("o", s(owner));
        }
        if (!guard.isEmpty()) {
            item.put("g", AttributeValue.fromB(SdkBytes.fromByteArray(pack(guard))));
        }
        if (!priors.isEmpty()) {
            Map<String, AttributeValue> p = new HashMap<>();
            priors.forEach((type, prior) -> p.put(type, s(prior.encode())));
            item.put("p", AttributeValue.fromM(p));
        }
        if (fence != null) {
            // Below the fence the closer is done; the fenced epoch itself stays until the next fence (a crashed close resumes).
            units.headMap(fence, false).clear();
            coverageEpochs.headSet(fence, false).clear();
            item.put("f", n(fence));
        }
        if (!coverageEpochs.isEmpty()) {
            item.put("cv", AttributeValue.fromNs(coverageEpochs.stream().map(String::valueOf).toList()));
        }
        if (!units.isEmpty()) {
            Map<String, AttributeValue> u = new HashMap<>();
            units.forEach((epoch, pools) -> {
                Map<String, AttributeValue> m = new HashMap<>();
                pools.forEach((pool, value) -> m.put(pool, n(value)));
                u.put(Long.toString(epoch), AttributeValue.fromM(m));
            });
            item.put("u", AttributeValue.fromM(u));
        }
        while (rate.size() > RATE_WINDOWS_KEPT) {
            rate.pollFirstEntry();
        }
        if (!rate.isEmpty()) {
            Map<String, AttributeValue> r = new HashMap<>();
            rate.forEach((w, c) -> r.put(Long.toString(w), n(c)));
            item.put("r", AttributeValue.fromM(r));
        }
        if (accepted > 0) {
            item.put("na", n(accepted));
        }
        if (!rejected.isEmpty()) {
            Map<String, AttributeValue> rj = new HashMap<>();
            rejected.forEach((fp, at) -> rj.put(fp, n(at)));
            item.put("rj", AttributeValue.fromM(rj));
        }
        return item;
    }

    /** Drops guard entries and rejected fingerprints older than {@code lifetimeMillis} before {@code nowMillis} (a receive time). */
    void prune(long nowMillis, long lifetimeMillis) {
        guard.removeIf(e -> e.receivedAtMillis() + lifetimeMillis < nowMillis);
        rejected.entrySet().removeIf(e -> e.getValue() * 1000 + lifetimeMillis < nowMillis);
        while (rejected.size() > MAX_REJECTED_KEPT) {
            String oldest = rejected.entrySet().stream().min(Map.Entry.comparingByValue()).orElseThrow().getKey();
            rejected.remove(oldest);
        }
    }

    /** 16 hex digits of SHA-256(deliveryId): a redelivery check needs no more (collision odds 2^-64 per device). */
    static String fingerprint(String deliveryId) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(deliveryId.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // The packed guard: varints, a UUID delivery id as 16 bytes and a hex SHA-256 proof id as 32 (about 64 bytes an entry).

    static byte[] pack(List<GuardEntry> entries) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(entries.size() * 64);
        for (GuardEntry e : entries) {
            varlong(out, zigzag(e.seq()));
            varlong(out, e.receivedAtMillis());
            varlong(out, zigzag(e.epoch()));
            varlong(out, zigzag(e.clockSkewMillis()));
            varlong(out, e.units());
            deliveryId(out, e.deliveryId());
            proofId(out, e.proofId());
        }
        return out.toByteArray();
    }

    static List<GuardEntry> unpack(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        List<GuardEntry> entries = new ArrayList<>();
        while (in.hasRemaining()) {
            long seq = unzigzag(varlong(in));
            long received = varlong(in);
            long epoch = unzigzag(varlong(in));
            long skew = unzigzag(varlong(in));
            long units = varlong(in);
            entries.add(new GuardEntry(seq, received, epoch, skew, units, readDeliveryId(in), readProofId(in)));
        }
        return entries;
    }

    private static void deliveryId(ByteArrayOutputStream out, String id) {
        UUID uuid = uuidOrNull(id);
        if (uuid != null) {
            out.write(0);
            ByteBuffer b = ByteBuffer.allocate(16).putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
            out.writeBytes(b.array());
        } else {
            text(out, id);
        }
    }

    private static String readDeliveryId(ByteBuffer in) {
        if (in.get() == 0) {
            return new UUID(in.getLong(), in.getLong()).toString();
        }
        return readText(in);
    }

    private static void proofId(ByteArrayOutputStream out, String id) {
        if (id != null && HEX64.matcher(id).matches()) {
            out.write(0);
            out.writeBytes(HexFormat.of().parseHex(id));
        } else {
            text(out, id == null ? "" : id);
        }
    }

    private static String readProofId(ByteBuffer in) {
        if (in.get() == 0) {
            byte[] b = new byte[32];
            in.get(b);
            return HexFormat.of().formatHex(b);
        }
        return readText(in);
    }

    private static void text(ByteArrayOutputStream out, String value) {
        out.write(1);
        byte[] b = value.getBytes(StandardCharsets.UTF_8);
        varlong(out, b.length);
        out.writeBytes(b);
    }

    private static String readText(ByteBuffer in) {
        byte[] b = new byte[(int) varlong(in)];
        in.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private static UUID uuidOrNull(String id) {
        if (id.length() != 36) {
            return null;
        }
        try {
            UUID uuid = UUID.fromString(id);
            return uuid.toString().equals(id) ? uuid : null; // only the canonical lowercase form round-trips
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static long zigzag(long v) {
        return (v << 1) ^ (v >> 63);
    }

    private static long unzigzag(long v) {
        return (v >>> 1) ^ -(v & 1);
    }

    private static void varlong(ByteArrayOutputStream out, long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    private static long varlong(ByteBuffer in) {
        long result = 0;
        for (int shift = 0; ; shift += 7) {
            byte b = in.get();
            result |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return result;
            }
        }
    }
}
