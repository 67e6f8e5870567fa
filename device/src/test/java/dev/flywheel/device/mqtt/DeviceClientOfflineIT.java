package dev.flywheel.device.mqtt;

import dev.flywheel.device.DevnetEnv;
import dev.flywheel.device.pki.CertificateFiles;
import dev.flywheel.device.pki.LocalCertificateAuthority;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * QoS 1 while offline: a device that publishes while its broker is down gets the message delivered, exactly
 * once, after the broker comes back. This test runs its <b>own</b> Mosquitto (the devnet's generated config,
 * ACL and certificates, on a private port, with persistence in a temp dir so the rules engine's session and
 * subscription survive the restart, as IoT Core's persistent sessions do), stops it, publishes, starts it
 * again, and watches the rules-engine subscriber. The shared devnet broker is never touched.
 */
@Timeout(120)
class DeviceClientOfflineIT {

    @TempDir
    Path dir;

    private final List<DeviceClient> clients = new ArrayList<>();
    private DevnetEnv env;
    private LocalCertificateAuthority ca;
    private Path config;
    private int port;
    private Process broker;

    @BeforeEach
    void setUp() throws Exception {
        env = DevnetEnv.require();
        ca = env.certificateAuthority();
        String devnetDir = System.getenv("FLYWHEEL_DEVNET_DIR");
        if (devnetDir == null || devnetDir.isBlank()) {
            fail("FLYWHEEL_DEVNET_DIR is not set: run via scripts/test (or `scripts/devnet up && source .devnet/env`)");
        }
        Path devnetConfig = Path.of(devnetDir, "mosquitto", "mosquitto.conf");
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Files.createDirectories(dir.resolve("persist"));
        StringBuilder conf = new StringBuilder();
        for (String line : Files.readAllLines(devnetConfig, StandardCharsets.UTF_8)) {
            if (line.startsWith("listener ")) {
                line = "listener " + port + " 127.0.0.1";
            } else if (line.startsWith("log_dest ")) {
                line = "log_dest file " + dir.resolve("mosquitto.log");
            } else if (line.startsWith("persistence ")) {
                line = "persistence true\npersistence_location " + dir.resolve("persist") + "/";
            }
            conf.append(line).append('\n');
        }
        config = dir.resolve("mosquitto.conf");
        Files.writeString(config, conf.toString());
        startBroker();
    }

    @AfterEach
    void tearDown() {
        clients.forEach(DeviceClient::close);
        stopBroker();
    }

    private void startBroker() throws Exception {
        broker = new ProcessBuilder("mosquitto", "-c", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("mosquitto.out").toFile()).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                if (!broker.isAlive()) {
                    fail("mosquitto exited: " + Files.readString(dir.resolve("mosquitto.out")));
                }
                Thread.sleep(50);
            }
        }
        fail("mosquitto did not listen on " + port);
    }

    /** SIGTERM (mosquitto writes its persistence file on the way out), then wait. */
    private void stopBroker() {
        if (broker != null && broker.isAlive()) {
            broker.destroy();
            try {
                if (!broker.waitFor(10, TimeUnit.SECONDS)) {
                    broker.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private DeviceClient client(String deviceId, Path cert, Path key, String clientId, DeviceClient.ConnectionListener events) {
        return client(deviceId, cert, key, clientId, events, Duration.ofSeconds(60));
    }

    private DeviceClient client(String deviceId, Path cert, Path key, String clientId, DeviceClient.ConnectionListener events,
                                Duration operationTimeout) {
        DeviceClient c = DeviceClient.builder(deviceId, cert, key, new MqttEndpoint("localhost", port, env.endpoint().caPath()))
                .clientId(clientId)
                .connectTimeout(Duration.ofSeconds(10))
                .reconnectBackoff(Duration.ofSeconds(1), Duration.ofSeconds(2))
                .operationTimeout(operationTimeout)
                .onConnectionEvent(events)
                .build();
        clients.add(c);
        c.connect();
        return c;
    }

    @Test
    void aProofPublishedWhileTheBrokerIsDownArrivesOnceAfterItReturns() throws Exception {
        String deviceId = "it-offline-" + UUID.randomUUID().toString().substring(0, 8);
        CertificateFiles files = ca.issue(deviceId).writeTo(dir);
        BlockingQueue<DeviceClient.InboundMessage> atRulesEngine = new LinkedBlockingQueue<>();
        DeviceClient rules = client(DevnetEnv.RULES_ENGINE, env.rulesEngineCert(), env.rulesEngineKey(),
                "flywheel-rules-engine-offline-it-" + UUID.randomUUID().toString().substring(0, 6), null);
        rules.subscribe(Topics.ALL_PROOFS, atRulesEngine::add).get(10, TimeUnit.SECONDS);

        AtomicInteger interrupted = new AtomicInteger();
        AtomicInteger resumed = new AtomicInteger();
        DeviceClient device = client(deviceId, files.certPath(), files.keyPath(), deviceId, new DeviceClient.ConnectionListener() {
            @Override
            public void onInterrupted(String id, String error) {
                interrupted.incrementAndGet();
            }

            @Override
            public void onResumed(String id, boolean sessionPresent) {
                resumed.incrementAndGet();
            }
        });
        byte[] online = "online".getBytes(StandardCharsets.UTF_8);
        device.publishProof(online).get(10, TimeUnit.SECONDS);
        assertArrayEquals(online, take(atRulesEngine, deviceId).payload());

        stopBroker();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (device.isConnected() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertFalse(device.isConnected(), "the device did not notice the broker going away");

        byte[] offline = ("offline-" + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
        CompletableFuture<Void> puback = device.publishProof(offline);
        Thread.sleep(3_000); // broker down for a few reconnect attempts
        assertFalse(puback.isDone(), "a publish while offline must wait for the broker, not fail: " + puback);

        startBroker();
        puback.get(30, TimeUnit.SECONDS); // PUBACK after the reconnect
        assertTrue(interrupted.get() >= 1 && resumed.get() >= 1, "interrupted " + interrupted + ", resumed " + resumed);
        assertArrayEquals(offline, take(atRulesEngine, deviceId).payload());
        List<DeviceClient.InboundMessage> more = new ArrayList<>();
        long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        while (System.nanoTime() < until) {
            DeviceClient.InboundMessage m = atRulesEngine.poll(100, TimeUnit.MILLISECONDS);
            if (m != null && m.topic().equals(Topics.proofs(deviceId))) {
                more.add(m);
            }
        }
        assertEquals(List.of(), more.stream().map(m -> new String(m.payload(), StandardCharsets.UTF_8)).toList(),
                "the offline proof must arrive exactly once");
    }

    /**
     * The SDK starts a publish's operation timeout when the PUBLISH is written to the socket, not when it is
     * queued: an outage longer than the timeout does not fail a publish made while offline.
     */
    @Test
    void theOperationTimeoutDoesNotRunWhileThePublishWaitsOffline() throws Exception {
        String deviceId = "it-offline-" + UUID.randomUUID().toString().substring(0, 8);
        CertificateFiles files = ca.issue(deviceId).writeTo(dir);
        BlockingQueue<DeviceClient.InboundMessage> atRulesEngine = new LinkedBlockingQueue<>();
        DeviceClient rules = client(DevnetEnv.RULES_ENGINE, env.rulesEngineCert(), env.rulesEngineKey(),
                "flywheel-rules-engine-offline-it-" + UUID.randomUUID().toString().substring(0, 6), null);
        rules.subscribe(Topics.ALL_PROOFS, atRulesEngine::add).get(10, TimeUnit.SECONDS);
        DeviceClient device = client(deviceId, files.certPath(), files.keyPath(), deviceId, null, Duration.ofSeconds(2));

        stopBroker();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (device.isConnected() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertFalse(device.isConnected());
        byte[] offline = ("offline-" + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
        CompletableFuture<Void> puback = device.publishProof(offline);
        Thread.sleep(5_000); // 2.5 x the operation timeout
        assertFalse(puback.isDone(), "the offline publish failed while queued: " + puback);
        startBroker();
        puback.get(30, TimeUnit.SECONDS);
        assertArrayEquals(offline, take(atRulesEngine, deviceId).payload());
    }

    private static DeviceClient.InboundMessage take(BlockingQueue<DeviceClient.InboundMessage> queue, String deviceId)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            DeviceClient.InboundMessage m = queue.poll(100, TimeUnit.MILLISECONDS);
            if (m != null && m.topic().equals(Topics.proofs(deviceId))) {
                return m;
            }
        }
        return fail("the rules engine did not receive a proof of " + deviceId);
    }
}
