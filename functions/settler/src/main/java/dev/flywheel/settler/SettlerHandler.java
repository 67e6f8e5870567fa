package dev.flywheel.settler;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flywheel.core.epoch.EpochClock;
import dev.flywheel.core.epoch.EpochSettler;
import dev.flywheel.dynamodb.DynamoEpochLedger;
import io.micronaut.context.ApplicationContextBuilder;
import io.micronaut.function.aws.MicronautRequestHandler;
import jakarta.inject.Inject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Scheduled: publishes the newest closed epoch's cumulative root on chain, exactly once.
 * Runs with reserved concurrency 1: one nonce owner per operator key.
 */
public class SettlerHandler extends MicronautRequestHandler<Map<String, Object>, Map<String, Object>> {
    private static final Logger LOG = LoggerFactory.getLogger(SettlerHandler.class);

    /** The context's one mapper (function-support JsonMapperSettings). */
    @Inject
    ObjectMapper json;

    @Inject
    EpochSettler settler;
    @Inject
    DynamoEpochLedger ledger;
    @Inject
    EpochClock clock;

    public SettlerHandler() {
    }

    public SettlerHandler(ApplicationContextBuilder context) {
        super(context);
    }

    @Override
    public Map<String, Object> execute(Map<String, Object> scheduledEvent) {
        Map<String, Object> result = new LinkedHashMap<>();
        // Before settling, so a run that then fails still reports how far behind settlement is (EMF on stdout).
        System.out.println(SettlementMetrics.line(json, ledger.cursor(clock.epochOf(clock.genesis()) - 1), clock, Instant.now()));
        settler.settleLatest().ifPresent(s -> {
            result.put("epoch", s.epoch());
            result.put("root", s.rootHex());
            result.put("txHash", s.txHash());
            if (!s.settled()) {
                result.put("blocked", s.blocked());
                // Raised once (an operator must act); later runs report it without failing or repeating the alarm.
                if (s.alarmRaised()) {
                    LOG.error("SETTLEMENT_ALARM epoch {}: {}", s.epoch(), s.blocked());
                } else {
                    LOG.info("epoch {} still blocked (alarm raised earlier): {}", s.epoch(), s.blocked());
                }
            }
        });
        return result;
    }
}
