package dev.flywheel.epochs;

import dev.flywheel.core.epoch.EmissionSchedule;
import dev.flywheel.core.epoch.EpochClock;
import dev.flywheel.core.epoch.EpochCloser;
import dev.flywheel.core.merkle.LeafDomain;
import dev.flywheel.core.epoch.EpochManifest;
import dev.flywheel.core.types.coverage.AntennaGains;
import dev.flywheel.core.types.coverage.CoverageConfig;
import dev.flywheel.core.types.coverage.CoverageDenylist;
import dev.flywheel.core.types.coverage.CoverageWindow;
import dev.flywheel.core.types.coverage.CoverageWindowEvaluator;
import dev.flywheel.core.types.coverage.RegionResolver;
import dev.flywheel.dynamodb.DynamoEntropyLedger;
import dev.flywheel.dynamodb.DynamoEpochLedger;
import dev.flywheel.dynamodb.DynamoProofLedger;
import io.micronaut.context.ApplicationContextBuilder;
import io.micronaut.context.annotation.Value;
import io.micronaut.function.aws.MicronautRequestHandler;
import jakarta.inject.Inject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scheduled: first evaluates the proof-of-coverage windows that have closed (when the entropy table is configured:
 * {@code flywheel.entropy.table}), so their credits land in the beacon's epoch while it is still open; then closes
 * every epoch past its late-data gate and returns their manifests.
 */
public class EpochCloserHandler extends MicronautRequestHandler<Map<String, Object>, Map<String, Object>> {
    private static final Logger LOG = LoggerFactory.getLogger(EpochCloserHandler.class);
    /** Bounds one invocation's work so it always ends inside the Lambda timeout; the next run continues. */
    private static final int MAX_EPOCHS_PER_RUN = 50;
    /** Coverage windows (and lone witnesses) per run; the next run continues with the rest. */
    private static final int MAX_WINDOWS_PER_RUN = 5000;
    /** Coverage evaluation stops after this long (timeout 300 s), leaving time to close epochs. */
    private static final Duration COVERAGE_BUDGET = Duration.ofSeconds(150);

    @Inject
    DynamoEpochLedger ledger;
    @Inject
    DynamoProofLedger proofs;
    @Inject
    DynamoDbClient dynamo;
    @Inject
    EpochClock clock;
    @Value("${flywheel.epoch.emission}")
    String emission;
    /** The leaves are bound to the chain and distributor the settler publishes to. */
    @Value("${flywheel.chain.id}")
    long chainId;
    @Value("${flywheel.distributor.address}")
    String distributor;
    @Value("${flywheel.late-data.seconds:3600}")
    long lateDataSeconds;
    @Value("${flywheel.entropy.table:}")
    String entropyTable;
    /** Coverage window settle delay (docs/rewards-coverage.md): 60 s by default. */
    @Value("${flywheel.coverage.settle-seconds:60}")
    long settleSeconds;
    /** One frequency-plan region for the whole network; blank: H3 res-3 parents stand in for regions. */
    @Value("${flywheel.coverage.region:}")
    String region;

    public EpochCloserHandler() {
    }

    public EpochCloserHandler(ApplicationContextBuilder context) {
        super(context);
    }

    @Override
    public Map<String, Object> execute(Map<String, Object> scheduledEvent) {
        Map<String, Object> result = new LinkedHashMap<>();
        if (entropyTable != null && !entropyTable.isBlank()) {
            try {
                long deadline = System.nanoTime() + COVERAGE_BUDGET.toNanos();
                CoverageWindowEvaluator.Summary coverage = coverageEvaluator().evaluateDue(Instant.now(), MAX_WINDOWS_PER_RUN,
                        () -> System.nanoTime() < deadline);
                result.put("coverage", Map.of("windows", coverage.windows(),
                        "lateOrOrphanWitnesses", coverage.lateOrOrphanWitnesses(), "units", coverage.units()));
            } catch (RuntimeException e) {
                // Closing goes on: a window evaluated later credits the next open epoch; nothing is credited twice.
                LOG.error("coverage window evaluation failed, the next run retries: {}", e.toString(), e);
                result.put("coverageError", e.toString());
            }
        }
        var closer = new EpochCloser(ledger, clock,
                EmissionSchedule.constant(new BigInteger(emission)), Duration.ofSeconds(lateDataSeconds), Clock.systemUTC(),
                new LeafDomain(chainId, distributor));
        List<EpochManifest> closed = closer.closeDue(MAX_EPOCHS_PER_RUN);
        result.put("closed", closed.stream().map(EpochCloserHandler::summary).toList());
        return result;
    }

    private CoverageWindowEvaluator coverageEvaluator() {
        var reports = proofs.coverage();
        var window = new CoverageWindow(CoverageConfig.defaults().withSettleDelay(Duration.ofSeconds(settleSeconds)),
                new DynamoEntropyLedger(dynamo, entropyTable, Duration.ofDays(1)),
                region == null || region.isBlank() ? RegionResolver.h3Parent(3) : RegionResolver.single(region.strip()),
                reports.history(), CoverageDenylist.NONE, AntennaGains.ZERO);
        return new CoverageWindowEvaluator(window, reports);
    }

    private static Map<String, Object> summary(EpochManifest m) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("epoch", m.epoch());
        s.put("totalUnits", m.totalUnits());
        s.put("rewardedDevices", m.rewardedDevices());
        s.put("allocated", m.allocated().toString());
        s.put("unallocated", m.unallocated().toString());
        s.put("root", m.rootHex());
        return s;
    }
}
