package dev.flywheel.devnet;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import dev.flywheel.core.epoch.EpochClock;
import dev.flywheel.core.epoch.EpochLedger;
import dev.flywheel.dynamodb.DynamoEpochLedger;
import dev.flywheel.dynamodb.DynamoProofLedger;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sqs.SqsClient;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;

/**
 * The long-running devnet backend for makers ({@code scripts/devnet host start}): provisions a fresh stack
 * (tables, queues, secrets, contracts) on the running devnet, then runs every function in a
 * {@link LocalFunctionHost} until stopped: the IoT rule (+ error action) → queue → verifier, the registry and
 * claims APIs, receipts, entropy, and the epoch closer and settler on a schedule. Besides those it serves
 * devnet-only routes for testing:
 * <pre>
 *   GET  /explorer/            the explorer (explorer/dist, built by scripts/demo or npm --prefix explorer run build)
 *   GET  /devnet/status        everything a maker needs (URLs, MQTT endpoint and CA, addresses, epoch, queues)
 *   POST /devnet/close-epoch   waits for the current epoch (or ?epoch=N) to end, closes it now; its rewards
 *   POST /devnet/settle        publishes every closed epoch's root on chain now; the last root's transaction
 * </pre>
 * and writes the same facts as shell exports to {@code $FLYWHEEL_DEVNET_DIR/host.env}. Every start is a new
 * network (a new stack name and new contracts), so state from an earlier start never mixes in.
 *
 * <p>Settings: {@code FLYWHEEL_HOST_PORT} (8787), {@code FLYWHEEL_DEVNET_EPOCH_SECONDS} (30);
 * emission and reward rules come from {@code config/network.json}.
 */
public final class DevnetHost {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long LATE_DATA_SECONDS = 2;

    private final DevnetConfig devnet;
    private final DevnetProvisioner.Provisioned provisioned;
    private final EpochClock clock;
    private final LocalFunctionHost host;
    private final DynamoEpochLedger epochs;
    private final long initialEpoch;

    private DevnetHost(DevnetConfig devnet, DevnetProvisioner.Provisioned provisioned, EpochClock clock, LocalFunctionHost host,
                       DynamoEpochLedger epochs) {
        this.devnet = devnet;
        this.provisioned = provisioned;
        this.clock = clock;
        this.host = host;
        this.epochs = epochs;
        this.initialEpoch = clock.epochOf(clock.genesis()) - 1;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> env = System.getenv();
        long epochSeconds = Long.parseLong(env.getOrDefault("FLYWHEEL_DEVNET_EPOCH_SECONDS", "30"));
        DevnetConfig devnet = DevnetConfig.fromEnvironment(env).withStackName("flywheel-devnet-" + Instant.now().getEpochSecond());
        Path stateDir = Path.of(env.getOrDefault("FLYWHEEL_DEVNET_DIR", devnet.repoRoot().resolve(".devnet").toString()));

        DynamoDbClient dynamo = DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create()).build();
        SqsClient sqs = SqsClient.builder().httpClient(UrlConnectionHttpClient.create()).build();
        try (SecretsManagerClient secrets = SecretsManagerClient.builder().httpClient(UrlConnectionHttpClient.create()).build()) {
            log("provisioning stack " + devnet.stackName() + ": tables (from template.yaml), queues, secrets, contracts");
            // Genesis one epoch back: the first epoch a maker sees is 1. The contracts take the same clock.
            Instant genesis = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(epochSeconds);
            EpochClock clock = new EpochClock(genesis, Duration.ofSeconds(epochSeconds));
            var provisioned = new DevnetProvisioner(devnet, dynamo, sqs, secrets).provision(clock);
            Map<String, Object> properties = new java.util.LinkedHashMap<>(HostProperties.forStack(devnet, provisioned, genesis, epochSeconds, devnet.hostPort()));
            // The explorer's evidence chain reads accepted proofs back from the paper trail.
            properties.putAll(HostProperties.paperTrail(devnet));
            var settings = new LocalFunctionHost.Settings(properties, provisioned.queueUrl(), provisioned.ingestErrorQueueUrl(),
                    Duration.ofSeconds(5), Duration.ofSeconds(5), devnet.hostPort());
            LocalFunctionHost host = new LocalFunctionHost(devnet, settings, sqs, DevnetHost::log);
            var proofs = new DynamoProofLedger(dynamo, provisioned.tables(), clock, Duration.ofDays(1));
            DevnetHost maker = new DevnetHost(devnet, provisioned, clock, host, new DynamoEpochLedger(dynamo, provisioned.tables(), proofs));
            host.start();
            ExplorerSite.install(host, devnet);

            Path envFile = stateDir.resolve("host.env");
            Path tmp = stateDir.resolve("host.env.tmp");
            Files.writeString(tmp, maker.exports());
            Files.move(tmp, envFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            // Last: scripts/devnet calls the host healthy once /devnet/status answers, and a maker's next command reads
            // host.env (the walk-through's eval "$(scripts/devnet env)" found no FLYWHEEL_REGISTRY_URL under load).
            host.addRoute("/devnet/", maker::serve);
            log("host up on " + host.claimsApiUrl() + "; maker settings in " + envFile);
            System.out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(maker.status()));

            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                log("stopping");
                host.close();
                try {
                    Files.deleteIfExists(envFile);
                } catch (IOException ignored) {
                    // the next start rewrites it
                }
                stopped.countDown();
            }));
            stopped.await();
        }
    }

    private static void log(String message) {
        System.err.println(Instant.now().truncatedTo(ChronoUnit.SECONDS) + " [host] " + message);
    }

    private String url() {
        return "http://127.0.0.1:" + devnet.hostPort();
    }

    /** What {@code scripts/devnet status} shows and {@code GET /devnet/status} answers. */
    Map<String, Object> status() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("stack", devnet.stackName());
        s.put("hostPort", devnet.hostPort());
        s.put("registryUrl", url());
        s.put("claimsUrl", url() + "/claims/<owner address>");
        s.put("explorerUrl", url() + "/explorer/");
        s.put("mqtt", Map.of("host", devnet.mqtt().host(), "port", devnet.mqtt().port(), "ca", devnet.caCert().toString(),
                "proofsTopic", "flywheel/v1/<thingName>/proofs", "receiptsTopic", "flywheel/v1/<thingName>/receipts"));
        s.put("chain", Map.of("rpc", devnet.chainRpc(), "chainId", devnet.chainId()));
        s.put("tokenAddress", provisioned.contracts().tokenAddress());
        s.put("distributorAddress", provisioned.contracts().distributorAddress());
        s.put("epochSeconds", clock.length().toSeconds());
        s.put("epochGenesis", clock.genesis().toString());
        s.put("currentEpoch", clock.epochOf(Instant.now()));
        EpochLedger.Cursor c = epochs.cursor(initialEpoch);
        s.put("closedThrough", c.lastClosed());
        s.put("settledThrough", c.lastSettled());
        s.put("queues", Map.of("proofs", provisioned.queueUrl(), "deadLetter", provisioned.deadLetterQueueUrl(),
                "ingestErrors", provisioned.ingestErrorQueueUrl()));
        s.put("tables", provisioned.tables().asEnvironment());
        return s;
    }

    /** host.env: the facts as shell exports, for {@code eval "$(scripts/devnet env)"}. */
    String exports() {
        Map<String, String> e = new LinkedHashMap<>();
        e.put("FLYWHEEL_DEVNET_STACK", devnet.stackName());
        e.put("FLYWHEEL_DEVNET_HOST_PORT", Integer.toString(devnet.hostPort()));
        e.put("FLYWHEEL_REGISTRY_URL", url());
        e.put("FLYWHEEL_CLAIMS_URL", url() + "/claims");
        e.put("FLYWHEEL_EXPLORER_URL", url() + "/explorer/");
        e.put("FLYWHEEL_TOKEN_ADDRESS", provisioned.contracts().tokenAddress());
        e.put("FLYWHEEL_DISTRIBUTOR_ADDRESS", provisioned.contracts().distributorAddress());
        e.put("FLYWHEEL_TIMELOCK_ADDRESS", provisioned.contracts().timelockAddress());
        e.put("FLYWHEEL_EPOCH_SECONDS", Long.toString(clock.length().toSeconds()));
        e.put("FLYWHEEL_EPOCH_GENESIS", clock.genesis().toString());
        e.put("FLYWHEEL_PROOF_QUEUE_URL", provisioned.queueUrl());
        e.put("FLYWHEEL_INGEST_ERROR_QUEUE_URL", provisioned.ingestErrorQueueUrl());
        StringBuilder out = new StringBuilder("# Written by the devnet host (scripts/devnet host start); removed when it stops.\n");
        e.forEach((k, v) -> out.append("export ").append(k).append("='").append(v).append("'\n"));
        return out.toString();
    }

    /**
     * Waits for the epoch to end (plus the late-data gate), then closes it at once; its rewards. The epoch is
     * the one asked for (a receipt's, which the schedule may already have closed: then this only reads it) or
     * else the current one.
     */
    synchronized Map<String, Object> closeEpoch(OptionalLong asked) throws InterruptedException {
        long current = clock.epochOf(Instant.now());
        long epoch = asked.orElse(current);
        if (epoch <= initialEpoch || epoch > current) {
            throw new IllegalArgumentException("epoch " + epoch + " is not between " + (initialEpoch + 1) + " and the current "
                    + current);
        }
        Instant ready = clock.end(epoch).plusSeconds(LATE_DATA_SECONDS + 1);
        long waitMillis = Duration.between(Instant.now(), ready).toMillis();
        if (waitMillis > 0) {
            log("close-epoch: epoch " + epoch + " ends at " + clock.end(epoch) + "; waiting " + waitMillis / 1000 + " s");
            Thread.sleep(waitMillis);
        }
        Instant deadline = Instant.now().plusSeconds(120);
        while (epochs.cursor(initialEpoch).lastClosed() < epoch) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("epoch " + epoch + " did not close within 120 s; see the host log");
            }
            host.invokeEpochCloser();
            Thread.sleep(500);
        }
        List<Map<String, Object>> rewards = new ArrayList<>();
        BigInteger total = BigInteger.ZERO;
        for (var r : epochs.deviceRewards(epoch)) {
            rewards.add(Map.of("deviceId", r.deviceId(), "owner", r.owner(), "amount", r.amount().toString()));
            total = total.add(r.amount());
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("epoch", epoch);
        out.put("closed", true);
        out.put("rewardedDevices", rewards.size());
        out.put("totalRewarded", total.toString());
        out.put("rewards", rewards);
        return out;
    }

    /** Publishes the root of every closed epoch now; the last settled epoch and its root transaction. */
    synchronized Map<String, Object> settleNow() throws InterruptedException {
        long target = epochs.cursor(initialEpoch).lastClosed();
        Instant deadline = Instant.now().plusSeconds(120);
        while (epochs.cursor(initialEpoch).lastSettled() < target) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("epoch " + target + " did not settle within 120 s; see the host log");
            }
            host.invokeSettler();
            Thread.sleep(500);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("epoch", target);
        out.put("settled", target > initialEpoch);
        out.put("rootTx", target > initialEpoch ? epochs.rootTransaction(target).orElse(null) : null);
        out.put("distributorAddress", provisioned.contracts().distributorAddress());
        return out;
    }

    private static OptionalLong epochParameter(String query) {
        if (query == null || query.isEmpty()) {
            return OptionalLong.empty();
        }
        if (!query.matches("epoch=\\d{1,18}")) {
            throw new IllegalArgumentException("expected ?epoch=N, got ?" + query);
        }
        return OptionalLong.of(Long.parseLong(query.substring("epoch=".length())));
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            String route = exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath();
            int status = 200;
            Object body;
            try {
                body = switch (route) {
                    case "GET /devnet/status" -> status();
                    case "POST /devnet/close-epoch" -> closeEpoch(epochParameter(exchange.getRequestURI().getQuery()));
                    case "POST /devnet/settle" -> settleNow();
                    default -> {
                        status = 404;
                        yield Map.of("error", "not_found", "detail", "no route " + route);
                    }
                };
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                status = e instanceof IllegalArgumentException ? 400 : 500;
                body = Map.of("error", "devnet_host_error", "detail", String.valueOf(e.getMessage()));
            }
            byte[] bytes = JSON.writeValueAsBytes(body);
            exchange.getResponseHeaders().add("content-type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }
}
