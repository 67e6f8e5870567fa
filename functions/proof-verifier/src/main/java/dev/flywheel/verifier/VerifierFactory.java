package dev.flywheel.verifier;

import dev.flywheel.core.entropy.EntropyLookup;
import dev.flywheel.core.proof.ProofTypes;
import dev.flywheel.core.proof.TypePorts;
import dev.flywheel.core.types.bandwidth.BandwidthDirectory;
import dev.flywheel.core.types.bandwidth.BandwidthSessions;
import dev.flywheel.core.types.sensor.NeighbourReadings;
import dev.flywheel.core.types.uptime.ChallengeLookup;
import dev.flywheel.core.verify.DeviceDirectory;
import dev.flywheel.core.verify.ProofVerifier;
import dev.flywheel.core.verify.VerificationPolicy;
import dev.flywheel.core.verify.VerificationService;
import dev.flywheel.dynamodb.DynamoBandwidthDirectory;
import dev.flywheel.dynamodb.DynamoBandwidthSessions;
import dev.flywheel.dynamodb.DynamoChallengeLedger;
import dev.flywheel.dynamodb.DynamoDenylist;
import dev.flywheel.dynamodb.DynamoEntropyLedger;
import dev.flywheel.dynamodb.DynamoNeighbourReadings;
import dev.flywheel.dynamodb.DynamoDeviceRegistry;
import dev.flywheel.dynamodb.DynamoProofLedger;
import dev.flywheel.dynamodb.TableNames;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** Wires the domain verifier to DynamoDB. */
@Factory
public class VerifierFactory {

    /**
     * @param cacheSeconds    how long a warm verifier trusts a device record it read (bounds how long a suspension takes to bite)
     * @param denylistSeconds the same for denylist answers ({@link DynamoDenylist}, items in the devices table)
     */
    @Singleton
    VerificationService verificationService(DynamoDbClient dynamo, TableNames tables, DynamoProofLedger ledger,
                                            VerificationPolicy policy,
                                            @Value("${flywheel.device-cache-seconds:30}") long cacheSeconds,
                                            @Value("${flywheel.denylist-cache-seconds:30}") long denylistSeconds,
                                            @Value("${flywheel.proof-types:}") String proofTypes,
                                            @Value("${flywheel.entropy.table:}") String entropyTable,
                                            @Value("${flywheel.challenges.table:}") String challengesTable,
                                            @Value("${flywheel.sensor.neighbour-check:false}") boolean neighbourCheck,
                                            @Value("${flywheel.verifier.parallelism:8}") int parallelism) {
        var deny = new DynamoDenylist(dynamo, tables.devices());
        var denylist = new CachingDenylist(deny::contains, ids -> {
            DynamoDenylist.Answers answers = deny.deniedAmong(ids);
            Map<String, Boolean> known = new HashMap<>();
            ids.stream().filter(id -> !answers.unanswered().contains(id)).forEach(id -> known.put(id, answers.denied().contains(id)));
            return known;
        }, Duration.ofSeconds(denylistSeconds), Clock.systemUTC());
        var registry = new DynamoDeviceRegistry(dynamo, tables.devices());
        var devices = new CachingDeviceDirectory(registry, registry::findAll, denylist::prefetch,
                Duration.ofSeconds(cacheSeconds), Clock.systemUTC());
        // The network's configuration names the proof types it rewards; blank means every registered type.
        Set<String> enabled = Arrays.stream(proofTypes.split(",")).map(String::strip).filter(t -> !t.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
        ProofTypes types = enabled.isEmpty() ? ProofTypes.builtIn() : ProofTypes.enabled(enabled);
        var verifier = new ProofVerifier(devices, denylist, policy,
                types.checks(ports(dynamo, tables, devices, entropyTable, challengesTable, neighbourCheck)),
                types, ledger.priorProofs());
        // Devices of a batch are verified concurrently (each device's deliveries in order): Lambda bills wall time.
        return new VerificationService(verifier, ledger, parallelism);
    }

    /**
     * The storage adapters behind the ports proof types declare; a type whose port is absent gets no rule (its proofs
     * are {@code unknown_proof_type}). Coverage joins when the entropy table is configured, uptime and bandwidth
     * receipts when the challenges table is (bandwidth sessions live there too), the sensor neighbour check when
     * {@code flywheel.sensor.neighbour-check} is true (template.yaml sets it; off by default, e.g. on the devnet).
     */
    private static TypePorts ports(DynamoDbClient dynamo, TableNames tables, DeviceDirectory devices, String entropyTable,
                                   String challengesTable, boolean neighbourCheck) {
        TypePorts ports = TypePorts.none();
        if (neighbourCheck) {
            ports = ports.with(NeighbourReadings.class, new DynamoNeighbourReadings(dynamo, tables));
        }
        if (!entropyTable.isBlank()) {
            ports = ports.with(EntropyLookup.class, new DynamoEntropyLedger(dynamo, entropyTable, Duration.ofDays(1)));
        }
        if (!challengesTable.isBlank()) {
            ports = ports.with(ChallengeLookup.class, new DynamoChallengeLedger(dynamo, challengesTable, Duration.ofDays(1)))
                    .with(BandwidthSessions.class, new DynamoBandwidthSessions(dynamo, challengesTable, Duration.ofDays(2), Clock.systemUTC()))
                    .with(BandwidthDirectory.class, new DynamoBandwidthDirectory(devices, dynamo, tables.devices()));
        }
        return ports;
    }
}
