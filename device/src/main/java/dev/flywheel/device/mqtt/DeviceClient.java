package dev.flywheel.device.mqtt;

import software.amazon.awssdk.crt.CRT;
import software.amazon.awssdk.crt.io.SocketOptions;
import software.amazon.awssdk.crt.mqtt.MqttClientConnection;
import software.amazon.awssdk.crt.mqtt.MqttClientConnectionEvents;
import software.amazon.awssdk.crt.mqtt.MqttMessage;
import software.amazon.awssdk.crt.mqtt.OnConnectionFailureReturn;
import software.amazon.awssdk.crt.mqtt.QualityOfService;
import software.amazon.awssdk.iot.AwsIotMqttConnectionBuilder;

import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * A device's MQTT connection, on the AWS IoT Device SDK v2 (aws-crt, MQTT 3.1.1) with mutual TLS:
 * the device certificate and key from files, client id = thing name. Nothing here is specific to
 * Mosquitto: pointed at {@link MqttEndpoint#iotCore} it talks to IoT Core unchanged.
 *
 * <p>Publishes go out at QoS 1; their futures complete on PUBACK (or fail after the operation
 * timeout). Receipts on {@code flywheel/v1/<deviceId>/receipts} are parsed and handed to the
 * {@link ReceiptListener} on the SDK's event-loop thread. After a connection loss the SDK
 * reconnects by itself with exponential backoff between {@link Builder#reconnectBackoff} bounds
 * (unacknowledged QoS 1 publishes are sent again until the operation timeout fails them), and
 * publishes made while disconnected wait in the SDK's in-memory offline queue and go out after the
 * reconnect (their operation timeout starts only when they are sent; {@code DeviceClientOfflineIT}), and
 * subscriptions are renewed when the broker lost the session; with the default persistent session
 * ({@code cleanSession=false}) receipts published while the device was away are delivered when it
 * is back.
 *
 * <p>Note the broker difference for forbidden topics: IoT Core disconnects a client that publishes
 * outside its policy; Mosquitto (MQTT 3.1.1) acknowledges and silently drops the message.
 */
public final class DeviceClient implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(DeviceClient.class.getName());

    private final String deviceId;
    private final String clientId;
    private final MqttEndpoint endpoint;
    private final Duration connectTimeout;
    private final Duration disconnectTimeout;
    private final ReceiptListener receiptListener;
    private final ConnectionListener connectionListener;
    private final MqttClientConnection connection;
    private final Map<String, Consumer<InboundMessage>> subscriptions = new ConcurrentHashMap<>();
    private final AtomicBoolean connected = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();

    /** A message received on a subscribed topic. */
    public record InboundMessage(String topic, byte[] payload) {
    }

    /** Connection life-cycle events (SDK event-loop thread; return quickly). */
    public interface ConnectionListener {
        default void onInterrupted(String deviceId, String error) {
        }

        default void onResumed(String deviceId, boolean sessionPresent) {
        }
    }

    private DeviceClient(Builder b) {
        this.deviceId = b.deviceId;
        this.clientId = b.clientId == null ? b.deviceId : b.clientId;
        this.endpoint = b.endpoint;
        this.connectTimeout = b.connectTimeout;
        this.disconnectTimeout = b.disconnectTimeout;
        this.receiptListener = b.receiptListener;
        this.connectionListener = b.connectionListener == null ? new ConnectionListener() {
        } : b.connectionListener;

        requireReadable(b.certPath, "certificate");
        requireReadable(b.keyPath, "private key");
        if (endpoint.caPath() != null) {
            requireReadable(endpoint.caPath(), "CA certificate");
        }
        try (AwsIotMqttConnectionBuilder builder =
                     AwsIotMqttConnectionBuilder.newMtlsBuilderFromPath(b.certPath.toString(), b.keyPath.toString());
             SocketOptions socket = new SocketOptions()) {
            if (endpoint.caPath() != null) {
                builder.withCertificateAuthorityFromPath(null, endpoint.caPath().toString());
            }
            socket.connectTimeoutMs = (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis());
            builder.withEndpoint(endpoint.host())
                    .withPort(endpoint.port())
                    .withClientId(clientId)
                    .withCleanSession(b.cleanSession)
                    .withKeepAliveSecs((int) b.keepAlive.toSeconds())
                    .withPingTimeoutMs((int) b.pingTimeout.toMillis())
                    .withProtocolOperationTimeoutMs((int) b.operationTimeout.toMillis())
                    .withReconnectTimeoutSecs(b.reconnectMin.toSeconds(), b.reconnectMax.toSeconds())
                    .withSocketOptions(socket)
                    .withConnectionEventCallbacks(new Events());
            this.connection = builder.build();
        }
        // Every inbound message lands here, including those queued in a persistent session and
        // delivered before we re-subscribed; routed to handlers by topic filter.
        connection.onMessage(this::dispatch);
    }

    /**
     * @param certPath PEM client certificate whose CN is the thing name
     * @param keyPath  PEM private key of that certificate (PKCS#8 or SEC 1)
     */
    public static Builder builder(String deviceId, Path certPath, Path keyPath, MqttEndpoint endpoint) {
        return new Builder(deviceId, certPath, keyPath, endpoint);
    }

    public String deviceId() {
        return deviceId;
    }

    public String clientId() {
        return clientId;
    }

    public MqttEndpoint endpoint() {
        return endpoint;
    }

    public boolean isConnected() {
        return connected.get();
    }

    /** Connects (and subscribes to receipts when a listener is set), waiting at most the connect timeout. */
    public void connect() {
        try {
            connectAsync().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeviceConnectException(deviceId + ": interrupted while connecting", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof DeviceConnectException dce) {
                throw dce;
            }
            throw new DeviceConnectException(deviceId + ": " + describe(cause), cause);
        }
    }

    /**
     * Connects without blocking. The future completes once the broker accepted the connection and
     * the receipts subscription (if any) was acknowledged, or fails with {@link DeviceConnectException}
     * (TLS refused, broker unreachable, connect timeout).
     */
    public CompletableFuture<Void> connectAsync() {
        if (closed.get()) {
            return CompletableFuture.failedFuture(new IllegalStateException(deviceId + ": client is closed"));
        }
        CompletableFuture<Boolean> connecting;
        try {
            connecting = connection.connect();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(new DeviceConnectException(
                    deviceId + ": cannot start connecting to " + endpoint + ": " + describe(e), e));
        }
        CompletableFuture<Void> ready = connecting.thenCompose(sessionPresent -> {
            connected.set(true);
            return receiptListener == null ? CompletableFuture.completedFuture(null)
                    : subscribe(Topics.receipts(deviceId), this::onReceiptMessage);
        });
        return ready.orTimeout(connectTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .handle((ok, error) -> {
                    if (error == null) {
                        return CompletableFuture.<Void>completedFuture(null);
                    }
                    Throwable cause = unwrap(error);
                    String what = cause instanceof TimeoutException
                            ? "no connection to " + endpoint + " within " + connectTimeout.toMillis() + " ms"
                            : "connection to " + endpoint + " failed: " + describe(cause);
                    if (cause instanceof TimeoutException) {
                        // Stop the SDK from completing the attempt later behind our back.
                        connection.disconnect();
                    }
                    return CompletableFuture.<Void>failedFuture(new DeviceConnectException(deviceId + ": " + what, cause));
                })
                .thenCompose(f -> f);
    }

    /** Publishes a signed proof to {@code flywheel/v1/<deviceId>/proofs} at QoS 1; completes on PUBACK. */
    public CompletableFuture<Void> publishProof(byte[] payload) {
        return publish(Topics.proofs(deviceId), payload);
    }

    /**
     * Publishes to any topic at QoS 1 (the broker's policy decides whether it is delivered);
     * completes on PUBACK, fails after the operation timeout.
     */
    public CompletableFuture<Void> publish(String topic, byte[] payload) {
        Objects.requireNonNull(payload, "payload");
        try {
            return connection.publish(new MqttMessage(topic, payload, QualityOfService.AT_LEAST_ONCE, false))
                    .thenApply(packetId -> (Void) null);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Subscribes at QoS 1; completes on SUBACK. Re-subscribed after a reconnect that lost the
     * session. The handler runs on the SDK's event-loop thread.
     */
    public CompletableFuture<Void> subscribe(String topicFilter, Consumer<InboundMessage> handler) {
        subscriptions.put(topicFilter, handler);
        try {
            // No per-subscription callback: the SDK would call it *and* the connection-wide handler
            // for the same message. Everything is routed by dispatch() instead.
            return connection.subscribe(topicFilter, QualityOfService.AT_LEAST_ONCE)
                    .thenApply(packetId -> (Void) null);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Subscribes to the network's entropy broadcasts. */
    public CompletableFuture<Void> subscribeEntropy(Consumer<byte[]> handler) {
        return subscribe(Topics.ENTROPY, m -> handler.accept(m.payload()));
    }

    /** Disconnects cleanly (waiting at most the disconnect timeout) and frees the native resources. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            if (connected.get()) {
                connection.disconnect().get(disconnectTimeout.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            LOG.log(Level.DEBUG, () -> deviceId + ": disconnect did not complete cleanly: " + describe(e));
        } finally {
            connected.set(false);
            connection.close();
        }
    }

    // ---------------------------------------------------------------------------------------------

    private void onReceiptMessage(InboundMessage message) {
        try {
            receiptListener.onReceipt(Receipt.parse(deviceId, message.payload()));
        } catch (IllegalArgumentException malformed) {
            receiptListener.onMalformedReceipt(deviceId, message.payload(), malformed);
        }
    }

    /**
     * Routes a message to the handler of the exact topic filter, else of the first wildcard filter
     * that matches (one handler per message: overlapping filters are not a use case here).
     */
    private void dispatch(MqttMessage message) {
        Consumer<InboundMessage> handler = subscriptions.get(message.getTopic());
        if (handler == null) {
            for (Map.Entry<String, Consumer<InboundMessage>> e : subscriptions.entrySet()) {
                if (matches(e.getKey(), message.getTopic())) {
                    handler = e.getValue();
                    break;
                }
            }
        }
        if (handler != null) {
            deliver(handler, message);
        } else {
            LOG.log(Level.DEBUG, () -> deviceId + ": message on unsubscribed topic " + message.getTopic());
        }
    }

    private void deliver(Consumer<InboundMessage> handler, MqttMessage m) {
        try {
            handler.accept(new InboundMessage(m.getTopic(), m.getPayload()));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, () -> deviceId + ": message handler for " + m.getTopic() + " threw " + e);
        }
    }

    /** MQTT topic-filter matching ({@code +} one level, {@code #} the rest). */
    static boolean matches(String filter, String topic) {
        String[] f = filter.split("/", -1);
        String[] t = topic.split("/", -1);
        for (int i = 0; i < f.length; i++) {
            if (f[i].equals("#")) {
                return true;
            }
            if (i >= t.length || !(f[i].equals("+") || f[i].equals(t[i]))) {
                return false;
            }
        }
        return f.length == t.length;
    }

    private final class Events implements MqttClientConnectionEvents {
        @Override
        public void onConnectionInterrupted(int errorCode) {
            connected.set(false);
            if (closed.get() || errorCode == 0) {
                // The SDK reports our own disconnect() as an interruption with AWS_ERROR_SUCCESS.
                return;
            }
            String error = crtError(errorCode);
            LOG.log(Level.INFO, () -> deviceId + ": connection interrupted (" + error + "); reconnecting with backoff");
            connectionListener.onInterrupted(deviceId, error);
        }

        @Override
        public void onConnectionResumed(boolean sessionPresent) {
            connected.set(true);
            LOG.log(Level.INFO, () -> deviceId + ": connection resumed (session present: " + sessionPresent + ")");
            if (!sessionPresent) {
                // The broker forgot our subscriptions; subscribing again is idempotent if the SDK did too.
                subscriptions.forEach((filter, handler) -> connection
                        .subscribe(filter, QualityOfService.AT_LEAST_ONCE)
                        .exceptionally(e -> {
                            LOG.log(Level.WARNING, () -> deviceId + ": re-subscribe to " + filter + " failed: " + describe(e));
                            return null;
                        }));
            }
            connectionListener.onResumed(deviceId, sessionPresent);
        }

        @Override
        public void onConnectionFailure(OnConnectionFailureReturn data) {
            LOG.log(Level.DEBUG, () -> deviceId + ": connection attempt failed: " + crtError(data.getErrorCode()));
        }
    }

    private static void requireReadable(Path path, String what) {
        Objects.requireNonNull(path, what + " path");
        if (!Files.isReadable(path)) {
            throw new IllegalArgumentException(what + " file " + path + " is not readable");
        }
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    static String describe(Throwable t) {
        t = unwrap(t);
        String msg = t.getMessage();
        return t.getClass().getSimpleName() + (msg == null ? "" : ": " + msg);
    }

    private static String crtError(int code) {
        try {
            return CRT.awsErrorName(code) + " (" + CRT.awsErrorString(code) + ")";
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            return "error " + code;
        }
    }

    /** Connection settings; defaults suit both the devnet and IoT Core. */
    public static final class Builder {
        private final String deviceId;
        private final Path certPath;
        private final Path keyPath;
        private final MqttEndpoint endpoint;
        private String clientId;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration disconnectTimeout = Duration.ofSeconds(5);
        private Duration operationTimeout = Duration.ofSeconds(30);
        private Duration keepAlive = Duration.ofSeconds(60);
        private Duration pingTimeout = Duration.ofSeconds(5);
        private Duration reconnectMin = Duration.ofSeconds(1);
        private Duration reconnectMax = Duration.ofSeconds(64);
        private boolean cleanSession = false;
        private ReceiptListener receiptListener;
        private ConnectionListener connectionListener;

        private Builder(String deviceId, Path certPath, Path keyPath, MqttEndpoint endpoint) {
            this.deviceId = Objects.requireNonNull(deviceId, "deviceId");
            this.certPath = certPath;
            this.keyPath = keyPath;
            this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
        }

        /** Defaults to the device id (IoT Core policies usually require client id = thing name). */
        public Builder clientId(String clientId) {
            this.clientId = clientId;
            return this;
        }

        public Builder connectTimeout(Duration d) {
            this.connectTimeout = positive(d, "connectTimeout");
            return this;
        }

        public Builder disconnectTimeout(Duration d) {
            this.disconnectTimeout = positive(d, "disconnectTimeout");
            return this;
        }

        /** How long a QoS 1 publish or a subscribe waits for its acknowledgement before failing. */
        public Builder operationTimeout(Duration d) {
            this.operationTimeout = positive(d, "operationTimeout");
            return this;
        }

        /** MQTT keep-alive; IoT Core accepts 30 s to 1200 s. */
        public Builder keepAlive(Duration d) {
            this.keepAlive = positive(d, "keepAlive");
            return this;
        }

        public Builder pingTimeout(Duration d) {
            this.pingTimeout = positive(d, "pingTimeout");
            return this;
        }

        /** Reconnect backoff: the SDK waits {@code min}, then doubles up to {@code max} (whole seconds). */
        public Builder reconnectBackoff(Duration min, Duration max) {
            if (min.toSeconds() < 1 || max.compareTo(min) < 0) {
                throw new IllegalArgumentException("reconnect backoff needs 1 s <= min <= max");
            }
            this.reconnectMin = min;
            this.reconnectMax = max;
            return this;
        }

        /** false (default): persistent session, receipts queued while offline are delivered on return. */
        public Builder cleanSession(boolean cleanSession) {
            this.cleanSession = cleanSession;
            return this;
        }

        /** Subscribes to the device's receipts topic on connect and hands each parsed receipt here. */
        public Builder onReceipt(ReceiptListener listener) {
            this.receiptListener = listener;
            return this;
        }

        public Builder onConnectionEvent(ConnectionListener listener) {
            this.connectionListener = listener;
            return this;
        }

        /** Creates the client (loads the certificate and key; does not connect). */
        public DeviceClient build() {
            return new DeviceClient(this);
        }

        private static Duration positive(Duration d, String name) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive");
            }
            return d;
        }
    }
}
