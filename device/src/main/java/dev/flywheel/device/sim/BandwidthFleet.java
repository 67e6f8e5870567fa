package dev.flywheel.device.sim;

import dev.flywheel.core.crypto.DeviceSigningKey;
import dev.flywheel.core.crypto.Encoding;
import dev.flywheel.core.crypto.SignatureScheme;
import dev.flywheel.core.proof.DeviceRecord;
import dev.flywheel.core.proof.DeviceStatus;
import dev.flywheel.core.proof.ProofCodec;
import dev.flywheel.core.types.bandwidth.BandwidthDirectory;
import dev.flywheel.core.types.bandwidth.BandwidthReceipt;
import dev.flywheel.core.types.bandwidth.ClientReceipts;
import dev.flywheel.device.pki.CertificateFiles;
import dev.flywheel.device.pki.LocalCertificateAuthority;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * A bandwidth scenario: one serving node (certificate and key, publishes over MQTT, declares its capacity) and clients
 * of each {@link BandwidthRole} (keys only: a client never publishes, it countersigns receipts the node submits).
 * Honest clients belong to {@code clientOwner}, colluding ones to the node's owner.
 */
public final class BandwidthFleet {
    /** What the node declares: 125 MB/s (1 Gbit/s), capability {@code bandwidth.125000000}. */
    public static final long CAPACITY_BYTES_PER_SECOND = 125_000_000L;
    /** Every session of the scenario lasts 10 minutes and ended a minute before its receipt. */
    public static final Duration SESSION = Duration.ofMinutes(10);

    /** A client: its id, key, owner and role. */
    public record Client(String deviceId, DeviceSigningKey key, String owner, BandwidthRole role) {
        /** What the registry holds for it (active, no location). */
        public DeviceRecord record() {
            return new DeviceRecord(deviceId, key.scheme(), key.publicKey(), owner, DeviceStatus.ACTIVE, null);
        }
    }

    private final SimulatedDevice node;
    private final List<Client> clients;
    private final SecureRandom rnd;

    private BandwidthFleet(SimulatedDevice node, List<Client> clients, SecureRandom rnd) {
        this.node = node;
        this.clients = List.copyOf(clients);
        this.rnd = rnd;
    }

    /**
     * Provisions the node (owned by {@code nodeOwner}, certificate from {@code ca} written into {@code dir}),
     * {@code honest} clients owned by {@code clientOwner} and {@code colluding} clients owned by {@code nodeOwner}.
     */
    public static BandwidthFleet provision(LocalCertificateAuthority ca, Path dir, SecureRandom rnd, String idPrefix,
                                           String nodeOwner, String clientOwner, int honest, int colluding) {
        Objects.requireNonNull(nodeOwner, "nodeOwner");
        Objects.requireNonNull(clientOwner, "clientOwner");
        String prefix = idPrefix != null ? idPrefix : "bw-" + HexFormat.of().formatHex(random(rnd, 3)) + "-";
        String nodeId = prefix + "node";
        CertificateFiles files = ca.issue(nodeId).writeTo(dir);
        SimulatedDevice node = new SimulatedDevice(nodeId, DeviceRole.HONEST, DeviceSigningKey.generate(SignatureScheme.ED25519, rnd),
                null, files.certPath(), files.keyPath(), nodeOwner, null);
        List<Client> clients = new ArrayList<>();
        for (int k = 1; k <= honest; k++) {
            clients.add(new Client(prefix + "client-" + k, DeviceSigningKey.generate(SignatureScheme.P256_SHA256, rnd), clientOwner,
                    BandwidthRole.HONEST_CLIENT));
        }
        for (int k = 1; k <= colluding; k++) {
            clients.add(new Client(prefix + "colluder-" + k, DeviceSigningKey.generate(SignatureScheme.SECP256K1_KECCAK256, rnd),
                    nodeOwner, BandwidthRole.COLLUDING_CLIENT));
        }
        return new BandwidthFleet(node, clients, rnd);
    }

    public SimulatedDevice node() {
        return node;
    }

    public List<Client> clients() {
        return clients;
    }

    public List<Client> clients(BandwidthRole role) {
        return clients.stream().filter(c -> c.role() == role).toList();
    }

    /** The registry capability that declares the node's capacity. */
    public static String capacityCapability() {
        return BandwidthDirectory.CAPACITY_PREFIX + CAPACITY_BYTES_PER_SECOND;
    }

    /** A fresh session nonce: 16 random bytes, lowercase hex. */
    public String newSession() {
        return Encoding.hex(random(rnd, 16));
    }

    /** {@code client}'s countersigned receipt for {@code bytes} in a session that ended a minute ago. */
    public BandwidthReceipt receipt(Client client, String session, long bytes, Clock clock) {
        long end = clock.millis() - 60_000;
        return ClientReceipts.countersign(node.deviceId(), client.deviceId(), client.key(), session, bytes, end - SESSION.toMillis(), end);
    }

    /** The node's signed proof carrying {@code receipt}: what it publishes on its proofs topic. */
    public byte[] proof(long seq, BandwidthReceipt receipt, Clock clock) {
        return ProofCodec.encode(node.deviceId(), seq, clock.instant(), null, receipt, node.signingKey());
    }

    /** {@code receipt} with {@code bytes} changed after the client signed: what an inflating node submits. */
    public static BandwidthReceipt inflated(BandwidthReceipt receipt, long bytes) {
        return new BandwidthReceipt(receipt.client(), receipt.session(), bytes, receipt.startMillis(), receipt.endMillis(),
                receipt.clientScheme(), receipt.clientSignature());
    }

    private static byte[] random(SecureRandom rnd, int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }
}
