package dev.flywheel.core.types.bandwidth;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.core.crypto.DeviceSigningKey;
import dev.flywheel.core.crypto.Encoding;
import dev.flywheel.core.json.CanonicalJson;
import dev.flywheel.core.json.InvalidJsonException;

/**
 * What a client countersigns: the RFC 8785 canonical JSON of
 * {@code {"bytes", "client", "end", "node", "session", "start", "type": "bandwidth.receipt"}}. The node's id is in it,
 * so a receipt cannot be submitted by another node; the type is in it, so the signature means nothing elsewhere.
 */
public final class ClientReceipts {
    private ClientReceipts() {
    }

    public static byte[] signingBytes(String node, String client, String session, long bytes, long startMillis, long endMillis) {
        ObjectNode receipt = JsonNodeFactory.instance.objectNode()
                .put("type", BandwidthReceipt.TYPE)
                .put("node", node)
                .put("client", client)
                .put("session", session)
                .put("bytes", bytes)
                .put("start", startMillis)
                .put("end", endMillis);
        try {
            return CanonicalJson.canonicalize(receipt);
        } catch (InvalidJsonException e) {
            throw new IllegalArgumentException("receipt cannot be canonicalized: " + e.getMessage(), e);
        }
    }

    /** The bytes {@code body}'s client signed, for a receipt submitted by {@code node}. */
    public static byte[] signingBytes(String node, BandwidthReceipt body) {
        return signingBytes(node, body.client(), body.session(), body.bytes(), body.startMillis(), body.endMillis());
    }

    /** What a client does at the end of a session: signs the usage it received from {@code node}. */
    public static BandwidthReceipt countersign(String node, String client, DeviceSigningKey clientKey, String session,
                                               long bytes, long startMillis, long endMillis) {
        byte[] signature = clientKey.sign(signingBytes(node, client, session, bytes, startMillis, endMillis));
        return new BandwidthReceipt(client, session, bytes, startMillis, endMillis, clientKey.scheme(), Encoding.base64Url(signature));
    }
}
