package dev.flywheel.function;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The functions' logging ({@link JsonLogConfigurator}): INFO, one JSON object per line, with the invocation's MDC
 * (request id, device id). The tests configure a fresh context (this module's tests log through logback-test.xml).
 */
class LogbackJsonTest {

    private static LoggerContext configured() {
        return configured(null);
    }

    private static LoggerContext configured(String lambdaLogLevel) {
        LoggerContext context = new LoggerContext();
        JsonLogConfigurator.apply(context, lambdaLogLevel);
        return context;
    }

    @Test
    void linesAreJsonWithLevelLoggerMessageAndMdc() throws Exception {
        LoggerContext context = configured();
        Logger logger = context.getLogger("dev.flywheel.verifier.ProofVerifierHandler");
        @SuppressWarnings("unchecked")
        Encoder<ILoggingEvent> encoder = ((ConsoleAppender<ILoggingEvent>) context.getLogger(Logger.ROOT_LOGGER_NAME)
                .getAppender(JsonLogConfigurator.APPENDER)).getEncoder();
        LoggingEvent event = new LoggingEvent(Logger.class.getName(), logger, Level.WARN,
                "delivery {} not recorded, will retry", new IllegalStateException("throttled"), new Object[]{"m-1"});
        event.setMDCPropertyMap(Map.of("AWSRequestId", "8f5e3c1a-0000-4000-8000-000000000001", "deviceId", "dev-0001"));

        String line = new String(encoder.encode(event), StandardCharsets.UTF_8);
        assertTrue(line.endsWith("\n") && line.indexOf('\n') == line.length() - 1, "one line per event: " + line);
        JsonNode json = new ObjectMapper().readTree(line);
        assertEquals("WARN", json.path("level").asText(), line);
        assertEquals("dev.flywheel.verifier.ProofVerifierHandler", json.path("loggerName").asText(), line);
        assertEquals("delivery m-1 not recorded, will retry", json.path("formattedMessage").asText(), line);
        assertEquals("8f5e3c1a-0000-4000-8000-000000000001", json.path("mdc").path("AWSRequestId").asText(), line);
        assertEquals("dev-0001", json.path("mdc").path("deviceId").asText(), line);
        assertTrue(json.path("throwable").toString().contains("throttled"), line);
        assertTrue(json.path("timestamp").isNumber(), line);
    }

    @Test
    void rootIsInfoAndTheSdkIsQuiet() throws Exception {
        LoggerContext context = configured();
        assertEquals(Level.INFO, context.getLogger(Logger.ROOT_LOGGER_NAME).getLevel());
        assertFalse(context.getLogger("dev.flywheel.x").isDebugEnabled());
        assertFalse(context.getLogger("software.amazon.awssdk.request").isInfoEnabled());
    }

    @Test
    void lambdasLogLevelSetsTheRoot() {
        assertEquals(Level.DEBUG, configured("DEBUG").getLogger(Logger.ROOT_LOGGER_NAME).getLevel());
        assertEquals(Level.INFO, configured("no-such-level").getLogger(Logger.ROOT_LOGGER_NAME).getLevel());
    }

    @Test
    void logbackFindsTheConfiguratorAndItStepsAsideForAnXmlFile() throws Exception {
        var services = LogbackJsonTest.class.getClassLoader()
                .getResource("META-INF/services/ch.qos.logback.classic.spi.Configurator");
        assertTrue(services != null && new String(services.openStream().readAllBytes(), StandardCharsets.UTF_8).strip()
                .equals(JsonLogConfigurator.class.getName()), "service file: " + services);
        // This module's test class path has logback-test.xml (build-support): logback's own configurators run.
        JsonLogConfigurator c = new JsonLogConfigurator();
        LoggerContext context = new LoggerContext();
        c.setContext(context);
        assertEquals(ch.qos.logback.classic.spi.Configurator.ExecutionStatus.INVOKE_NEXT_IF_ANY, c.configure(context));
        assertTrue(context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender(JsonLogConfigurator.APPENDER) == null);
    }
}
