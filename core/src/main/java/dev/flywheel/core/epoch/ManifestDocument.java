package dev.flywheel.core.epoch;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.core.crypto.Encoding;
import dev.flywheel.core.json.CanonicalJson;
import dev.flywheel.core.json.InvalidJsonException;
import dev.flywheel.core.reward.DeviceReward;
import dev.flywheel.core.reward.EpochRewards;

import java.math.BigInteger;

/**
 * The canonical (RFC 8785) document of a closed epoch: its split and every allocation. Amounts
 * are decimal strings, since JCS numbers are doubles. Its SHA-256 goes on chain with the root.
 */
public final class ManifestDocument {
    private ManifestDocument() {
    }

    public static byte[] canonicalBytes(EpochRewards rewards, String rootHex, BigInteger totalCumulative) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode doc = f.objectNode();
        doc.put("epoch", Long.toString(rewards.epoch()));
        doc.put("emission", rewards.emission().toString());
        doc.put("totalUnits", Long.toString(rewards.totalUnits()));
        doc.put("unallocated", rewards.unallocated().toString());
        doc.put("root", rootHex);
        doc.put("totalCumulative", totalCumulative.toString());
        ArrayNode allocations = doc.putArray("allocations");
        for (DeviceReward r : rewards.rewards()) {
            allocations.addObject().put("device", r.deviceId()).put("owner", r.owner())
                    .put("units", Long.toString(r.units())).put("amount", r.amount().toString());
        }
        try {
            return CanonicalJson.canonicalize(doc);
        } catch (InvalidJsonException e) {
            throw new IllegalStateException("manifest is not canonicalizable", e);
        }
    }

    /** 0x-hex SHA-256 of {@link #canonicalBytes}. */
    public static String hash(EpochRewards rewards, String rootHex, BigInteger totalCumulative) {
        return Encoding.hex0x(Encoding.sha256(canonicalBytes(rewards, rootHex, totalCumulative)));
    }
}
