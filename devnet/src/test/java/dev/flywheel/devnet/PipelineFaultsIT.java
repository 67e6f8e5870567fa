package dev.flywheel.devnet;

import dev.flywheel.core.epoch.EpochClock;
import dev.flywheel.core.proof.DeviceRecord;
import dev.flywheel.core.proof.DeviceStatus;
import dev.flywheel.device.pki.LocalCertificateAuthority;
import dev.flywheel.device.sim.FleetMix;
import dev.flywheel.device.sim.FleetReport;
import dev.flywheel.device.sim.FleetSimulator;
import dev.flywheel.device.sim.RunOptions;
import dev.flywheel.device.sim.SimulatedDevice;
import dev.flywheel.dynamodb.DynamoDeviceRegistry;
import dev.flywheel.dynamodb.DynamoEpochLedger;
import dev.flywheel.dynamodb.DynamoProofLedger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Faults during a fleet run through the whole devnet pipeline (MQTT/mTLS -> rule bridge -> SQS -> verifier ->
 * DynamoDB): after each, every published proof has exactly one verdict, accepted or rejected with a reason, nothing
 * is credited twice ({@link Accounting}), and the pipeline caught up without help. Bounded for CI (a small fleet);
 * {@code -Dflywheel.faults.devices=N -Dflywheel.faults.proofs=M} runs a bigger one.
 *
 * <p>Covered elsewhere, not repeated here: a reorg during settlement and a root replaced or reconciled
 * ({@code RootPublisherFaultsIT}, adapters/chain), a chain that refuses the root until it takes it
 * ({@code EpochSettlerAlarmIT}, adapters/dynamodb), a device's publish while the broker is down arriving once after it
 * returns ({@code DeviceClientOfflineIT}, device), a redelivered batch ({@code DemoIT}), a crash between the state
 * write and the paper trail ({@code PaperTrailIT}).
 */
class PipelineFaultsIT {
    private static final int DEVICES = Integer.getInteger("flywheel.faults.devices", 20);
    private static final int PROOFS = Integer.getInteger("flywheel.faults.proofs", 5);
    private static final long EPOCH_SECONDS = 3600;
    /** The queue's visibility timeout for these runs: a failed or abandoned batch comes back after it. */
    private static final int VISIBILITY_SECONDS = 5;

    /** What one fault run produced. */
    private record Outcome(FleetReport fleet, Accounting.Report books, LocalFunctionHost host) {
    }

    @Test
    void theVerifierKilledMidBatchLosesNothingAndCreditsNothingTwice() throws Exception {
        Outcome o = runWithFault("it-fault-kill-", null, host -> host.crashNextBatches(3));
        assertCaughtUp(o);
        System.out.printf("[faults] verifier killed mid-batch 3 times: %s%n", o.books().summary());
    }

    @Test
    void dynamoDbThrottlingLosesNothingAndCreditsNothingTwice() throws Exception {
        try (FaultProxy proxy = new FaultProxy(URI.create(System.getenv("AWS_ENDPOINT_URL")))) {
            proxy.throttleEvery(4);
            Outcome o = runWithFault("it-fault-throttle-", proxy, host -> {
            }, () -> proxy.throttleEvery(0));
            assertTrue(proxy.throttled() > 0, "the proxy throttled some DynamoDB requests");
            assertCaughtUp(o);
            System.out.printf("[faults] %d DynamoDB requests throttled (every 4th while the fleet ran): %s%n",
                    proxy.throttled(), o.books().summary());
        }
    }

    @Test
    void theAwsStandInRestartedLosesNothingAndCreditsNothingTwice() throws Exception {
        try (FaultProxy proxy = new FaultProxy(URI.create(System.getenv("AWS_ENDPOINT_URL")))) {
            Outcome o = runWithFault("it-fault-restart-", proxy, host -> {
                try {
                    Thread.sleep(1500);
                    proxy.restart(Duration.ofSeconds(3));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertCaughtUp(o);
            System.out.printf("[faults] AWS endpoint down 3 s mid-run: %s%n", o.books().summary());
        }
    }

    private static void assertCaughtUp(Outcome o) {
        assertEquals(DEVICES, o.fleet().connected(), "every device connected");
        assertEquals(0, o.fleet().publishFailures(), "every publish acknowledged");
        Accounting.Report books = o.books();
        assertTrue(books.ok(), books.summary() + " " + books.problems());
        assertEquals(o.fleet().expectedVerdicts(), books.verdicts(), "one verdict per delivered message");
        assertEquals(0, o.host().errorRecords(), "no rule action ended in the error queue");
    }

    private Outcome runWithFault(String prefix, FaultProxy proxy, Consumer<LocalFunctionHost> fault) throws Exception {
        return runWithFault(prefix, proxy, fault, () -> {
        });
    }

    /**
     * Provisions a stack, starts the host (its functions' AWS clients through {@code proxy} when given), injects
     * {@code fault} once the fleet is publishing, runs the fleet, ends the fault ({@code heal}), waits until the ledger
     * holds a verdict per delivered message, and checks the books.
     */
    private Outcome runWithFault(String prefix, FaultProxy proxy, Consumer<LocalFunctionHost> fault, Runnable heal)
            throws Exception {
        DevnetConfig devnet = DevnetFixture.freshStack(prefix);
        String previousEndpoint = System.getProperty("aws.endpointUrl");
        try (DevnetFixture.Clients aws = DevnetFixture.Clients.open()) {
            Instant genesis = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            EpochClock clock = new EpochClock(genesis, Duration.ofSeconds(EPOCH_SECONDS));
            var provisioned = new DevnetProvisioner(devnet, aws.dynamo(), aws.sqs(), aws.secrets()).provision(clock);
            aws.sqs().setQueueAttributes(b -> b.queueUrl(provisioned.queueUrl())
                    .attributes(Map.of(QueueAttributeName.VISIBILITY_TIMEOUT, Integer.toString(VISIBILITY_SECONDS))));
            Path certs = Files.createDirectories(devnet.certsDir().resolve(devnet.stackName()));
            var ca = LocalCertificateAuthority.load(devnet.caCert(), devnet.caKey());
            List<SimulatedDevice> fleet = FleetSimulator.provision(DEVICES, FleetMix.DEMO, ca, certs, new SecureRandom(),
                    List.of("0x00000000000000000000000000000000000f1ee1", "0x00000000000000000000000000000000000f1ee2"));
            var registry = new DynamoDeviceRegistry(aws.dynamo(), provisioned.tables().devices());
            for (SimulatedDevice d : fleet) {
                registry.register(new DeviceRecord(d.deviceId(), d.signingKey().scheme(), d.signingKey().publicKey(),
                        d.ownerAddress(), DeviceStatus.ACTIVE, d.h3Cell()), "it", Instant.now());
            }
            int port = HostProperties.freePort();
            Map<String, Object> properties = HostProperties.forStack(devnet, provisioned, genesis, EPOCH_SECONDS, port);
            var settings = new LocalFunctionHost.Settings(properties, provisioned.queueUrl(), provisioned.ingestErrorQueueUrl(),
                    Duration.ofMinutes(10), Duration.ofMinutes(10), port);
            if (proxy != null) {
                // The SDK reads it when a client is built: the host's functions talk to moto through the proxy; this
                // test's own clients (built above) do not.
                System.setProperty("aws.endpointUrl", proxy.url());
            }
            // Through the proxy too when there is one: the rule bridge and the event source see the same faults.
            SqsClient hostSqs = proxy == null ? aws.sqs() : SqsClient.builder().httpClient(UrlConnectionHttpClient.create())
                    .endpointOverride(URI.create(proxy.url())).build();
            try (hostSqs; var host = new LocalFunctionHost(devnet, settings, hostSqs, msg -> System.err.println("[host] " + msg))) {
                host.start();
                if (proxy != null) {
                    restore(previousEndpoint);
                }
                LoadRun.Timeline published = new LoadRun.Timeline();
                Thread faultThread = Thread.ofPlatform().start(() -> {
                    // Once the first proofs are in flight.
                    while (published.published.get() < Math.min(10, DEVICES)) {
                        try {
                            Thread.sleep(20);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                    fault.accept(host);
                });
                FleetReport report = FleetSimulator.run(fleet, devnet.mqtt(), PROOFS, published,
                        RunOptions.defaults().withReceiptGrace(Duration.ofSeconds(3)));
                faultThread.join(30_000);
                heal.run();
                var proofs = new DynamoProofLedger(aws.dynamo(), provisioned.tables(), clock, Duration.ofDays(1));
                Instant deadline = Instant.now().plusSeconds(120);
                long recorded = 0;
                while (Instant.now().isBefore(deadline)) {
                    var counts = proofs.countVerdicts();
                    recorded = counts.accepted() + counts.rejected();
                    if (recorded >= report.expectedVerdicts()) {
                        break;
                    }
                    Thread.sleep(2000);
                }
                Accounting.Report books = Accounting.check(Map.copyOf(published.publishedByProof), proofs,
                        new DynamoEpochLedger(aws.dynamo(), provisioned.tables(), proofs), List.of());
                return new Outcome(report, books, host);
            }
        } finally {
            restore(previousEndpoint);
        }
    }

    private static void restore(String previous) {
        if (previous == null) {
            System.clearProperty("aws.endpointUrl");
        } else {
            System.setProperty("aws.endpointUrl", previous);
        }
    }
}
