package dev.flywheel.devnet;

import dev.flywheel.device.mqtt.MqttEndpoint;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A Mosquitto of one test's own, which the test may stop and start: the shared devnet broker is never touched. Its
 * config is the one {@code scripts/devnet} generated for the running devnet ({@code $FLYWHEEL_DEVNET_DIR/mosquitto/
 * mosquitto.conf}: the same CA, server certificate, mTLS settings, queue limits and ACL file), read at start, with only
 * the listener's port, the log file and persistence changed. Persistence is on, in the test's folder, so the sessions
 * and the QoS 1 messages queued for them survive a restart, as IoT Core's persistent sessions do (the rules engine's
 * subscription among them). The same approach as {@code DeviceClientOfflineIT} in device/, whose test classes this
 * module cannot see.
 */
final class PrivateBroker implements AutoCloseable {
    private final Path dir;
    private final Path config;
    private final MqttEndpoint endpoint;
    /** The listener's address (the devnet's, 127.0.0.1 unless it says otherwise), for the is-it-up check. */
    private final String listenHost;
    private Process process;

    private PrivateBroker(Path dir, Path config, MqttEndpoint endpoint, String listenHost) {
        this.dir = dir;
        this.config = config;
        this.endpoint = endpoint;
        this.listenHost = listenHost;
    }

    /** Writes the config into {@code dir} and starts the broker on a free port, for clients of {@code devnetBroker}'s CA. */
    static PrivateBroker start(Path dir, MqttEndpoint devnetBroker) throws Exception {
        String devnetDir = System.getenv("FLYWHEEL_DEVNET_DIR");
        if (devnetDir == null || devnetDir.isBlank()) {
            throw new IllegalStateException("FLYWHEEL_DEVNET_DIR is not set: run via scripts/test");
        }
        Path generated = Path.of(devnetDir, "mosquitto", "mosquitto.conf");
        int port = HostProperties.freePort();
        Path persist = Files.createDirectories(dir.resolve("persist"));
        StringBuilder conf = new StringBuilder();
        String listenHost = "127.0.0.1";
        for (String line : Files.readAllLines(generated, StandardCharsets.UTF_8)) {
            if (line.startsWith("listener ")) {
                String[] words = line.trim().split("\\s+");
                listenHost = words.length > 2 ? words[2] : listenHost;
                line = "listener " + port + " " + listenHost;
            } else if (line.startsWith("log_dest ")) {
                line = "log_dest file " + dir.resolve("mosquitto.log");
            } else if (line.startsWith("persistence ")) {
                line = "persistence true\npersistence_location " + persist + "/";
            }
            conf.append(line).append('\n');
        }
        Path config = dir.resolve("mosquitto.conf");
        Files.writeString(config, conf.toString());
        PrivateBroker broker = new PrivateBroker(dir, config, new MqttEndpoint(devnetBroker.host(), port, devnetBroker.caPath()),
                listenHost);
        broker.start();
        return broker;
    }

    MqttEndpoint endpoint() {
        return endpoint;
    }

    /** Starts the broker and waits until it listens (10 s at most). */
    synchronized void start() throws Exception {
        process = new ProcessBuilder("mosquitto", "-c", config.toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("mosquitto.out").toFile())).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(listenHost, endpoint.port()), 200);
                return;
            } catch (IOException notYet) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("mosquitto exited: " + Files.readString(dir.resolve("mosquitto.out")));
                }
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("mosquitto did not listen on " + endpoint.port());
    }

    /** SIGTERM, as a service manager stops it (Mosquitto writes its sessions to disk on the way out), then waits. */
    synchronized void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
