package dev.flywheel.device.mqtt;

import dev.flywheel.core.crypto.DeviceSigningKey;
import dev.flywheel.core.crypto.SignatureScheme;
import dev.flywheel.core.proof.ProofCodec;
import dev.flywheel.core.types.sensor.SensorReading;
import dev.flywheel.device.DevnetEnv;
import dev.flywheel.device.pki.CertificateFiles;
import dev.flywheel.device.pki.LocalCertificateAuthority;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The device side of the data plane against the devnet's Mosquitto (mTLS, identity = certificate
 * CN, per-device ACL): the stand-in for IoT Core with per-thing policies. Mosquitto under MQTT
 * 3.1.1 silently drops what the ACL forbids (IoT Core would disconnect), so isolation is asserted
 * as non-delivery next to a control message that is delivered.
 */
@Timeout(120)
class DeviceClientIT {

    /** How long a forbidden message gets to show up before we call it "never delivered". */
    private static final Duration NON_DELIVERY_WAIT = Duration.ofSeconds(3);
    private static final Duration DELIVERY_WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private final SecureRandom random = new SecureRandom();
    private final List<DeviceClient> clients = new ArrayList<>();
    private DevnetEnv env;
    private LocalCertificateAuthority ca;

    @BeforeEach
    void setUp() {
        env = DevnetEnv.require();
        ca = env.certificateAuthority();
    }

    @AfterEach
    void tearDown() {
        clients.forEach(DeviceClient::close);
    }

    @Test
    void deviceProofReachesTheRulesEngineByteForByte() throws Exception {
        String deviceId = uniqueId("it-a");
        BlockingQueue<DeviceClient.InboundMessage> atRulesEngine = rulesEngineSubscribedTo(Topics.ALL_PROOFS);
        DeviceClient device = connect(deviceId, ca.issue(deviceId).writeTo(dir), null);

        byte[] proof = ProofCodec.encode(deviceId, 1, Instant.now(), "8a2a1072b59ffff",
                new SensorReading("temperature", 21.5, "celsius"),
                DeviceSigningKey.generate(SignatureScheme.ED25519, random));
        device.publishProof(proof).get(10, TimeUnit.SECONDS); // completes on PUBACK

        DeviceClient.InboundMessage got = awaitMatching(atRulesEngine, Topics.proofs(deviceId), DELIVERY_WAIT);
        assertNotNull(got, "the rules engine never received the proof of " + deviceId);
        assertArrayEquals(proof, got.payload(), "payload must arrive byte for byte");
    }

    @Test
    void aDeviceCannotPublishOnAnotherDevicesProofTopic() throws Exception {
        String idA = uniqueId("it-a");
        String idB = uniqueId("it-b");
        BlockingQueue<DeviceClient.InboundMessage> atRulesEngine = rulesEngineSubscribedTo(Topics.ALL_PROOFS);
        DeviceClient a = connect(idA, ca.issue(idA).writeTo(dir), null);
        DeviceClient b = connect(idB, ca.issue(idB).writeTo(dir), null);

        byte[] impersonation = marker("B pretending to be A");
        try {
            // Mosquitto acknowledges and drops it; IoT Core would disconnect B instead. Either way: not delivered.
            b.publish(Topics.proofs(idA), impersonation).get(10, TimeUnit.SECONDS);
        } catch (Exception brokerRefused) {
            // acceptable: a broker may also refuse loudly
        }
        byte[] bOwn = marker("B on its own topic");
        b.publishProof(bOwn).get(10, TimeUnit.SECONDS);
        byte[] control = marker("A on its own topic");
        a.publishProof(control).get(10, TimeUnit.SECONDS);

        List<DeviceClient.InboundMessage> seen = new ArrayList<>();
        long deadline = System.nanoTime() + DELIVERY_WAIT.toNanos();
        boolean controlSeen = false;
        boolean bOwnSeen = false;
        while (System.nanoTime() < deadline && !(controlSeen && bOwnSeen)) {
            DeviceClient.InboundMessage m = atRulesEngine.poll(100, TimeUnit.MILLISECONDS);
            if (m != null) {
                seen.add(m);
                controlSeen |= Arrays.equals(m.payload(), control);
                bOwnSeen |= Arrays.equals(m.payload(), bOwn);
            }
        }
        assertTrue(controlSeen, "control message from A was not delivered; the test proves nothing");
        assertTrue(bOwnSeen, "B's publish on its own topic was not delivered; B's connection is broken");
        drainFor(atRulesEngine, seen, NON_DELIVERY_WAIT);
        for (DeviceClient.InboundMessage m : seen) {
            assertFalse(Arrays.equals(m.payload(), impersonation),
                    "B's message on A's proofs topic was delivered on " + m.topic());
        }
    }

    @Test
    void aDeviceCannotReadAnotherDevicesReceipts() throws Exception {
        String idA = uniqueId("it-a");
        String idB = uniqueId("it-b");
        BlockingQueue<Receipt> receiptsOfA = new LinkedBlockingQueue<>();
        BlockingQueue<DeviceClient.InboundMessage> stolenByB = new LinkedBlockingQueue<>();
        DeviceClient a = connect(idA, ca.issue(idA).writeTo(dir), receiptsOfA::add);
        DeviceClient b = connect(idB, ca.issue(idB).writeTo(dir), null);
        for (String filter : List.of(Topics.receipts(idA), "flywheel/v1/+/receipts", "#")) {
            try {
                // Mosquitto 2.0's acl_file grants the SUBACK and filters each message on delivery;
                // IoT Core refuses the subscription (and disconnects). Only delivery is asserted.
                b.subscribe(filter, stolenByB::add).get(10, TimeUnit.SECONDS);
            } catch (Exception refused) {
                // a broker may also refuse the subscription outright
            }
        }
        DeviceClient rulesEngine = rulesEngine();

        String proofId = HexFormat.of().formatHex(marker("receipt"));
        byte[] receipt = ("{\"outcome\":\"accepted\",\"proofId\":\"" + proofId + "\",\"seq\":7}")
                .getBytes(StandardCharsets.UTF_8);
        rulesEngine.publish(Topics.receipts(idA), receipt).get(10, TimeUnit.SECONDS);

        Receipt got = null;
        long deadline = System.nanoTime() + DELIVERY_WAIT.toNanos();
        while (got == null && System.nanoTime() < deadline) {
            Receipt r = receiptsOfA.poll(100, TimeUnit.MILLISECONDS);
            if (r != null && proofId.equals(r.proofId())) {
                got = r;
            }
        }
        assertNotNull(got, "A never received its receipt; the test proves nothing");
        assertEquals(idA, got.deviceId());
        assertEquals(7, got.seq());
        assertTrue(got.accepted());
        assertNull(got.reason());

        List<DeviceClient.InboundMessage> stolen = new ArrayList<>();
        drainFor(stolenByB, stolen, NON_DELIVERY_WAIT);
        stolen.removeIf(m -> m.topic().equals(Topics.ENTROPY)); // every device may read the network entropy
        assertTrue(stolen.isEmpty(), "B read messages it must not: " + stolen.stream().map(DeviceClient.InboundMessage::topic).toList());
    }

    @Test
    void aCertificateFromAnUntrustedCaCannotConnect() {
        // Control: the broker is up and takes a certificate from the devnet CA, so the refusal
        // below is about the certificate, not an unreachable broker.
        String trustedId = uniqueId("it-trusted");
        connect(trustedId, ca.issue(trustedId).writeTo(dir), null);

        LocalCertificateAuthority rogue = LocalCertificateAuthority.createSelfSigned("Rogue CA", Duration.ofDays(1), random);
        String deviceId = uniqueId("it-rogue");
        CertificateFiles files = rogue.issue(deviceId).writeTo(dir);
        DeviceClient client = DeviceClient.builder(deviceId, files.certPath(), files.keyPath(), env.endpoint())
                .connectTimeout(Duration.ofSeconds(10))
                .build();
        clients.add(client);
        DeviceConnectException e = assertThrows(DeviceConnectException.class, client::connect);
        assertFalse(client.isConnected());
        assertTrue(e.getMessage().contains(deviceId), e.getMessage());
        assertFalse(e.getMessage().contains("refused") && e.getMessage().contains("socket"),
                "the TLS handshake must be what fails: " + e.getMessage());
    }

    // ---------------------------------------------------------------------------------------------

    private DeviceClient connect(String deviceId, CertificateFiles files, ReceiptListener receipts) {
        DeviceClient.Builder builder = DeviceClient.builder(deviceId, files.certPath(), files.keyPath(), env.endpoint())
                .connectTimeout(Duration.ofSeconds(10))
                .cleanSession(true);
        if (receipts != null) {
            builder.onReceipt(receipts);
        }
        DeviceClient client = builder.build();
        clients.add(client);
        client.connect();
        assertTrue(client.isConnected());
        return client;
    }

    /** The backend's identity (CN flywheel-rules-engine), with a client id of its own so a running devnet bridge is not kicked off. */
    private DeviceClient rulesEngine() {
        DeviceClient client = DeviceClient.builder(DevnetEnv.RULES_ENGINE, env.rulesEngineCert(), env.rulesEngineKey(), env.endpoint())
                .clientId(uniqueId(DevnetEnv.RULES_ENGINE + "-it"))
                .cleanSession(true)
                .build();
        clients.add(client);
        client.connect();
        return client;
    }

    private BlockingQueue<DeviceClient.InboundMessage> rulesEngineSubscribedTo(String filter) throws Exception {
        BlockingQueue<DeviceClient.InboundMessage> queue = new LinkedBlockingQueue<>();
        rulesEngine().subscribe(filter, queue::add).get(10, TimeUnit.SECONDS);
        return queue;
    }

    private static DeviceClient.InboundMessage awaitMatching(BlockingQueue<DeviceClient.InboundMessage> queue, String topic,
                                                             Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            DeviceClient.InboundMessage m = queue.poll(100, TimeUnit.MILLISECONDS);
            if (m != null && m.topic().equals(topic)) {
                return m;
            }
        }
        return null;
    }

    private static <T> void drainFor(BlockingQueue<T> queue, List<T> into, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            T m = queue.poll(100, TimeUnit.MILLISECONDS);
            if (m != null) {
                into.add(m);
            }
        }
    }

    private byte[] marker(String label) {
        byte[] nonce = new byte[8];
        random.nextBytes(nonce);
        return (label + " " + HexFormat.of().formatHex(nonce)).getBytes(StandardCharsets.UTF_8);
    }

    private String uniqueId(String prefix) {
        byte[] b = new byte[4];
        random.nextBytes(b);
        return prefix + "-" + HexFormat.of().formatHex(b);
    }
}
