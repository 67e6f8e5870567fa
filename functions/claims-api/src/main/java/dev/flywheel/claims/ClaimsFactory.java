package dev.flywheel.claims;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flywheel.core.claims.ClaimService;
import dev.flywheel.core.epoch.EpochClock;
import dev.flywheel.dynamodb.DynamoEpochLedger;
import dev.flywheel.dynamodb.DynamoExplorerReads;
import dev.flywheel.dynamodb.DynamoHexSummaries;
import dev.flywheel.dynamodb.DynamoOnboardingRegistry;
import dev.flywheel.dynamodb.DynamoOwnerClaims;
import dev.flywheel.dynamodb.DynamoProofLedger;
import dev.flywheel.dynamodb.TableNames;
import dev.flywheel.function.SecretValues;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.time.Clock;
import java.time.Duration;

/**
 * Wires the claims API: the ledger by owner (DynamoDB), the distributor's state (the chain, RPC URL from Secrets
 * Manager), and the explorer's reads of the registry, the proof ledger and the epochs.
 */
@Factory
public class ClaimsFactory {

    @Singleton
    ChainReads chainReads(SecretValues secrets,
                          @Value("${flywheel.chain.rpc-secret-id}") String rpcSecretId,
                          @Value("${flywheel.chain.id}") long chainId,
                          @Value("${flywheel.distributor.address}") String distributor) {
        return new ChainReads(secrets, rpcSecretId, chainId, distributor);
    }

    @Singleton
    ClaimService claimService(DynamoEpochLedger ledger, ChainReads chain,
                              @Value("${flywheel.claims.roots-cache-seconds:5}") long cacheSeconds) {
        return new ClaimService(new DynamoOwnerClaims(ledger), chain, Clock.systemUTC(), Duration.ofSeconds(cacheSeconds));
    }

    @Singleton
    ExplorerApi explorerApi(DynamoDbClient dynamo, TableNames tables, DynamoProofLedger proofs, DynamoEpochLedger epochs,
                            ClaimService claims, ChainReads chain, EpochClock clock, ObjectMapper json) {
        return new ExplorerApi(new DynamoExplorerReads(dynamo, tables), new DynamoHexSummaries(dynamo, tables),
                new DynamoOnboardingRegistry(dynamo, tables.devices()),
                proofs, epochs, claims, chain, clock, Clock.systemUTC(), json);
    }
}
