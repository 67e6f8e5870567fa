package dev.flywheel.function;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.ContextInitializer;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * The one logging configuration of every Lambda function, in code: logback finds it through
 * {@code META-INF/services/ch.qos.logback.classic.spi.Configurator} before its XML configurator, so a cold start
 * skips loading and interpreting an XML file (Joran: 0.2-0.3 s measured by scripts/coldstart).
 *
 * <p>One JSON object per line on stdout, which CloudWatch Logs Insights and Lambda's JSON log format read as fields:
 * timestamp, level, loggerName, formatted message, throwable, and the MDC, where Micronaut puts AWSRequestId,
 * AWSFunctionName and AWSFunctionVersion for every invocation and the verifier adds deviceId. The level is Lambda's
 * ApplicationLogLevel ({@code AWS_LAMBDA_LOG_LEVEL}, INFO in template.yaml), INFO when unset or unknown; the SDK and
 * Micronaut log at WARN (their INFO lines add nothing per invocation that the REPORT line does not).
 *
 * <p>Steps aside (lets logback's own configurators run) when a {@code logback-test.xml} or {@code logback.xml} is on
 * the class path or {@code -Dlogback.configurationFile} is set: tests keep their module's logback-test.xml, and a
 * module that ships its own logback.xml (devnet) keeps it.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_NORMAL_PRIORITY)
public final class JsonLogConfigurator extends ContextAwareBase implements Configurator {
    static final String APPENDER = "JSON";

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        ClassLoader loader = JsonLogConfigurator.class.getClassLoader();
        if (System.getProperty(ContextInitializer.CONFIG_FILE_PROPERTY) != null
                || loader.getResource(ContextInitializer.TEST_AUTOCONFIG_FILE) != null
                || loader.getResource(ContextInitializer.AUTOCONFIG_FILE) != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        apply(context, System.getenv("AWS_LAMBDA_LOG_LEVEL"));
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** Configures {@code context} as described above, with {@code level} for the root (null or unknown: INFO). */
    static void apply(LoggerContext context, String level) {
        JsonEncoder encoder = new JsonEncoder();
        encoder.setContext(context);
        encoder.setWithSequenceNumber(false);
        encoder.setWithNanoseconds(false);
        encoder.setWithContext(false);
        encoder.setWithThreadName(false);
        encoder.setWithMessage(false);
        encoder.setWithArguments(false);
        encoder.setWithFormattedMessage(true);
        encoder.start();

        ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
        appender.setContext(context);
        appender.setName(APPENDER);
        appender.setEncoder(encoder);
        appender.start();

        context.getLogger("software.amazon.awssdk").setLevel(Level.WARN);
        context.getLogger("io.micronaut").setLevel(Level.WARN);
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(level, Level.INFO));
        root.addAppender(appender);
    }
}
