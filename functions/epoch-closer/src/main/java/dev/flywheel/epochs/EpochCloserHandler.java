package dev.flywheel.epochs;

import dev.flywheel.core.epoch.EmissionSchedule;
import dev.flywheel.core.epoch.EpochClock;
import dev.flywheel.core.epoch.EpochCloser;
import dev.flywheel.core.epoch.EpochManifest;
import dev.flywheel.dynamodb.DynamoEpochLedger;
import io.micronaut.context.ApplicationContextBuilder;
import io.micronaut.context.annotation.Value;
import io.micronaut.function.aws.MicronautRequestHandler;
import jakarta.inject.Inject;

import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Scheduled: closes every epoch past its late-data gate and returns their manifests. */
public class EpochCloserHandler extends MicronautRequestHandler<Map<String, Object>, Map<String, Object>> {
    /** Bounds one invocation's work so it always ends inside the Lambda timeout; the next run continues. */
    private static final int MAX_EPOCHS_PER_RUN = 50;

    @Inject
    DynamoEpochLedger ledger;
    @Inject
    EpochClock clock;
    @Value("${flywheel.epoch.emission}")
    String emission;
    @Value("${flywheel.late-data.seconds:3600}")
    long lateDataSeconds;

    public EpochCloserHandler() {
    }

    public EpochCloserHandler(ApplicationContextBuilder context) {
        super(context);
    }

    @Override
    public Map<String, Object> execute(Map<String, Object> scheduledEvent) {
        var closer = new EpochCloser(ledger, clock,
                EmissionSchedule.constant(new BigInteger(emission)), Duration.ofSeconds(lateDataSeconds), Clock.systemUTC());
        List<EpochManifest> closed = closer.closeDue(MAX_EPOCHS_PER_RUN);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("closed", closed.stream().map(EpochCloserHandler::summary).toList());
        return result;
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
