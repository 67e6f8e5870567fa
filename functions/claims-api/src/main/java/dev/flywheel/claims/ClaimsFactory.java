package dev.flywheel.claims;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flywheel.core.claims.ClaimService;
import dev.flywheel.athena.AthenaPaperTrailQuery;
import dev.flywheel.core.epoch.EpochClock;
import dev.flywheel.core.trail.PaperTrailSearch;
import dev.flywheel.dynamodb.DynamoEpochLedger;
import dev.flywheel.dynamodb.DynamoExplorerReads;
import dev.flywheel.dynamodb.DynamoHexSummaries;
import dev.flywheel.dynamodb.DynamoOnboardingRegistry;
import dev.flywheel.dynamodb.DynamoOwnerClaims;
import dev.flywheel.dynamodb.DynamoProofLedger;
import dev.flywheel.dynamodb.TableNames;
import dev.flywheel.function.SecretValues;
import dev.flywheel.s3.S3PaperTrailScan;
import dev.flywheel.s3.S3VerdictArchive;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.athena.AthenaClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.time.Clock;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Wires the claims API: the ledger by owner (DynamoDB), the distributor's state (the chain, RPC URL from Secrets
 * Manager), and the explorer's reads of the registry, the proof ledger, the epochs and the paper trail.
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

    /**
     * Where the explorer reads a device's accepted proofs of an epoch ({@code flywheel.explorer.paper-trail},
     * {@code FLYWHEEL_EXPLORER_PAPER_TRAIL}): {@code athena} on AWS (workgroup and Glue database from
     * {@code flywheel.explorer.athena.workgroup} / {@code .database}), {@code s3} on the devnet (the objects in
     * {@code flywheel.paper-trail.bucket}, read one by one), {@code none} (default) answers that no trail is configured.
     */
    @Singleton
    PaperTrailSearch paperTrailSearch(ObjectMapper json,
                                      @Value("${flywheel.explorer.paper-trail:none}") String mode,
                                      @Value("${flywheel.paper-trail.bucket:}") String bucket,
                                      @Value("${flywheel.explorer.athena.workgroup:}") String workGroup,
                                      @Value("${flywheel.explorer.athena.database:}") String database,
                                      @Value("${flywheel.explorer.athena.deadline-seconds:20}") long deadlineSeconds) {
        // Built on the first click, not at cold start: most requests never read the trail.
        return switch (mode.strip()) {
            case "athena" -> {
                String wg = required(workGroup, "flywheel.explorer.athena.workgroup");
                String db = required(database, "flywheel.explorer.athena.database");
                yield lazily(() -> new AthenaPaperTrailQuery(AthenaClient.builder().httpClient(UrlConnectionHttpClient.create()).build(),
                        wg, db, Duration.ofSeconds(deadlineSeconds), Clock.systemUTC()));
            }
            case "s3" -> {
                String trail = required(bucket, "flywheel.paper-trail.bucket");
                yield lazily(() -> new S3PaperTrailScan(S3VerdictArchive.defaultClient(), trail, json));
            }
            case "none" -> query -> new PaperTrailSearch.Failed(null,
                    "this API reads no paper trail (flywheel.explorer.paper-trail is none)");
            default -> throw new IllegalArgumentException("flywheel.explorer.paper-trail is athena, s3 or none, not " + mode);
        };
    }

    private static PaperTrailSearch lazily(Supplier<PaperTrailSearch> make) {
        var once = new Object() {
            private PaperTrailSearch search;

            synchronized PaperTrailSearch get() {
                if (search == null) {
                    search = make.get();
                }
                return search;
            }
        };
        return query -> once.get().acceptedProofs(query);
    }

    private static String required(String value, String property) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(property + " must be set for this paper-trail mode");
        }
        return value.strip();
    }

    @Singleton
    ExplorerApi explorerApi(DynamoDbClient dynamo, TableNames tables, DynamoProofLedger proofs, DynamoEpochLedger epochs,
                            ClaimService claims, ChainReads chain, PaperTrailSearch paperTrail, EpochClock clock, ObjectMapper json) {
        return new ExplorerApi(new DynamoExplorerReads(dynamo, tables), new DynamoHexSummaries(dynamo, tables),
                new DynamoOnboardingRegistry(dynamo, tables.devices()),
                proofs, epochs, claims, chain, paperTrail, clock, Clock.systemUTC(), json);
    }
}
