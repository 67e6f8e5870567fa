package dev.flywheel.epochs;

import dev.flywheel.core.epoch.DeviceLocations;
import dev.flywheel.core.epoch.EpochLedger;
import dev.flywheel.core.epoch.EpochWorkSource;
import dev.flywheel.core.network.NetworkConfig;
import dev.flywheel.core.epoch.EpochCloser;
import dev.flywheel.core.merkle.LeafDomain;
import dev.flywheel.core.epoch.EpochManifest;
import dev.flywheel.core.types.coverage.CoverageWindowEvaluator;
import dev.flywheel.dynamodb.DynamoEpochLedger;
import dev.flywheel.dynamodb.DynamoHexSummaries;
import io.micronaut.context.ApplicationContextBuilder;
import io.micronaut.context.annotation.Value;
import io.micronaut.function.aws.MicronautRequestHandler;
import jakarta.inject.Inject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Scheduled: first evaluates the proof-of-coverage windows that have closed (when the entropy table is configured:
 * {@code flywheel.entropy.table}), so their credits land in the beacon's epoch while it is still open; then closes
 * every epoch past its late-data gate under the network configuration's rules (config/network.json) and returns
 * their manifests, each with its {@code manifestHash}.
 */
public class EpochCloserHandler extends MicronautRequestHandler<Map<String, Object>, Map<String, Object>> {
    private static final Logger LOG = LoggerFactory.getLogger(EpochCloserHandler.class);
    /** Bounds one invocation's work so it always ends inside the Lambda timeout; the next run continues. */
    private static final int MAX_EPOCHS_PER_RUN = 50;
    /** Coverage windows (and lone witnesses) per run; the next run continues with the rest. */
    private static final int MAX_WINDOWS_PER_RUN = 5000;
    /** Coverage evaluation stops after this long (timeout 300 s), leaving time to close epochs. */
    private static final Duration COVERAGE_BUDGET = Duration.ofSeconds(150);

    /** Segments read in parallel; the merged result is the same for any count. */
    private static final int WORKERS = 2;

    @Inject
    EpochLedger ledger;
    @Inject
    EpochWorkSource work;
    @Inject
    DeviceLocations locations;
    @Inject
    NetworkConfig network;
    @Inject
    CoverageEvaluations coverage;
    @Inject
    DynamoEpochLedger rewards;
    @Inject
    DynamoHexSummaries hexSummaries;
    /** The leaves are bound to the chain and distributor the settler publishes to. */
    @Value("${flywheel.chain.id}")
    long chainId;
    @Value("${flywheel.distributor.address}")
    String distributor;

    public EpochCloserHandler() {
    }

    public EpochCloserHandler(ApplicationContextBuilder context) {
        super(context);
    }

    @Override
    public Map<String, Object> execute(Map<String, Object> scheduledEvent) {
        Map<String, Object> result = new LinkedHashMap<>();
        Optional<CoverageWindowEvaluator> evaluator = coverage.forThisRun();
        if (evaluator.isPresent()) {
            try {
                long deadline = System.nanoTime() + COVERAGE_BUDGET.toNanos();
                CoverageWindowEvaluator.Summary coverage = evaluator.get().evaluateDue(Instant.now(), MAX_WINDOWS_PER_RUN,
                        () -> System.nanoTime() < deadline);
                result.put("coverage", Map.of("windows", coverage.windows(),
                        "lateOrOrphanWitnesses", coverage.lateOrOrphanWitnesses(), "units", coverage.units()));
            } catch (RuntimeException e) {
                // Closing goes on: a window evaluated later credits the next open epoch; nothing is credited twice.
                LOG.error("coverage window evaluation failed, the next run retries: {}", e.toString(), e);
                result.put("coverageError", e.toString());
            }
        }
        var closer = new EpochCloser(ledger, work, locations, network, Clock.systemUTC(), WORKERS,
                new LeafDomain(chainId, distributor));
        List<EpochManifest> closed = closer.closeDue(MAX_EPOCHS_PER_RUN);
        result.put("closed", closed.stream().map(EpochCloserHandler::summary).toList());
        writeHexSummaries(result);
        return result;
    }

    /**
     * The explorer map's hex summary of every closed epoch that has none yet (the ones just closed, or ones a run that
     * died after closing left): from the epoch's device shares and the devices' registered cells. A failure leaves the
     * summary to the next run; the close itself is already complete.
     */
    private void writeHexSummaries(Map<String, Object> result) {
        try {
            long first = network.clock().epochOf(network.clock().genesis());
            long lastClosed = ledger.cursor(first - 1).lastClosed();
            List<Long> written = hexSummaries.writeMissing(lastClosed, first, MAX_EPOCHS_PER_RUN, rewards::deviceRewards,
                    (epoch, ids) -> hexSummaries.registeredCells(ids));
            result.put("hexSummaries", written);
        } catch (RuntimeException e) {
            LOG.error("hex summary failed, the next run retries: {}", e.toString(), e);
            result.put("hexSummaryError", e.toString());
        }
    }

    private static Map<String, Object> summary(EpochManifest m) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("epoch", m.epoch());
        s.put("totalUnits", m.totalUnits());
        s.put("rewardedDevices", m.rewardedDevices());
        s.put("allocated", m.allocated().toString());
        s.put("unallocated", m.unallocated().toString());
        s.put("root", m.rootHex());
        s.put("manifestHash", m.manifestHash());
        return s;
    }
}
