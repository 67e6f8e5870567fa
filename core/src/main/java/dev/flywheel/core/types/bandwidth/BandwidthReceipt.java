package dev.flywheel.core.types.bandwidth;

import dev.flywheel.core.crypto.SignatureScheme;
import dev.flywheel.core.proof.ProofBody;

import java.util.Objects;

/**
 * A usage receipt for one session of a CDN, bandwidth or VPN node: the client that consumed the bandwidth countersigns
 * how many bytes the node (the envelope's device) served it in a time window, and the node submits the receipt as its
 * proof. There is no proof of bandwidth; what the network can check is that a registered client, not owned by the
 * node's owner, vouched for the bytes, once per session, within caps and within the node's declared capacity.
 *
 * @param client          the client's registered device id (its key verifies {@code clientSignature})
 * @param session         the session nonce the client chose, 32 lowercase hex digits: one credit per client and session
 * @param bytes           bytes served in the window, in [1, 2^53)
 * @param startMillis     window start, Unix ms
 * @param endMillis       window end, Unix ms
 * @param clientScheme    the client's signature scheme
 * @param clientSignature the client's signature over {@link ClientReceipts#signingBytes}, base64url without padding
 * @param nodeBytes       the node's own count of the session's bytes from its logs, when it reports one (null otherwise):
 *                        signed by the node with the envelope, not by the client; when both report, they must agree
 */
public record BandwidthReceipt(String client, String session, long bytes, long startMillis, long endMillis,
                               SignatureScheme clientScheme, String clientSignature, Long nodeBytes) implements ProofBody {
    public static final String TYPE = "bandwidth.receipt";

    /** A receipt without a node-side count. */
    public BandwidthReceipt(String client, String session, long bytes, long startMillis, long endMillis,
                            SignatureScheme clientScheme, String clientSignature) {
        this(client, session, bytes, startMillis, endMillis, clientScheme, clientSignature, null);
    }

    /** The same receipt with the node's own count attached. */
    public BandwidthReceipt withNodeBytes(long count) {
        return new BandwidthReceipt(client, session, bytes, startMillis, endMillis, clientScheme, clientSignature, count);
    }

    public BandwidthReceipt {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(session, "session");
        Objects.requireNonNull(clientScheme, "clientScheme");
        Objects.requireNonNull(clientSignature, "clientSignature");
    }

    @Override
    public String type() {
        return TYPE;
    }
}
