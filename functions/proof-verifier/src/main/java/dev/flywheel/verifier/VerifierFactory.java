package dev.flywheel.verifier;

import dev.flywheel.core.verify.PlausibilityChecks;
import dev.flywheel.core.verify.ProofVerifier;
import dev.flywheel.core.verify.VerificationPolicy;
import dev.flywheel.core.verify.VerificationService;
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
import java.util.Set;
import java.util.stream.Collectors;

/** Wires the domain verifier to DynamoDB. */
@Factory
public class VerifierFactory {

    @Singleton
    VerificationService verificationService(DynamoDbClient dynamo, TableNames tables, DynamoProofLedger ledger,
                                            VerificationPolicy policy,
                                            @Value("${flywheel.denylist:}") String denylist,
                                            @Value("${flywheel.device-cache-seconds:30}") long cacheSeconds) {
        Set<String> denied = Arrays.stream(denylist.split(",")).map(String::strip).filter(s -> !s.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
        var devices = new CachingDeviceDirectory(new DynamoDeviceRegistry(dynamo, tables.devices()),
                Duration.ofSeconds(cacheSeconds), Clock.systemUTC());
        var verifier = new ProofVerifier(devices, denied::contains, policy, PlausibilityChecks.defaults());
        return new VerificationService(verifier, ledger);
    }
}
