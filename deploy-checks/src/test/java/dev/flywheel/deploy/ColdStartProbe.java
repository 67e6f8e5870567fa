package dev.flywheel.deploy;

import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Proxy;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

/**
 * The child JVM of {@link ColdStartBenchmark}: started with a function's shaded jar first on the class path, it does
 * what Lambda's runtime does on a cold start (construct the handler, read the event, invoke it) and prints one JSON
 * line of wall-clock milestones (epoch milliseconds: main, logging configured, handler constructed, primed, event
 * handled) and its peak resident memory. Mode {@code primed} runs
 * {@code dev.flywheel.function.Priming.prime()} after construction, as SnapStart runs it before the snapshot.
 * Uses only the JDK and reflection, so nothing of the test class path shadows the jar's classes.
 */
public final class ColdStartProbe {
    private ColdStartProbe() {
    }

    public static void main(String[] args) throws Throwable {
        long mainAt = System.currentTimeMillis();
        String handlerName = args[0];
        Path event = Path.of(args[1]);
        boolean primed = "primed".equals(args[2]);

        // Logging first, as the handler's first logger would: logback loads and runs its configuration here, so its
        // cost (programmatic or XML) is a milestone of its own.
        Class.forName("org.slf4j.LoggerFactory").getMethod("getILoggerFactory").invoke(null);
        long loggingAt = System.currentTimeMillis();
        Class<?> handlerClass = Class.forName(handlerName);
        Object handler = handlerClass.getConstructor().newInstance();
        long readyAt = System.currentTimeMillis();
        if (primed) {
            Object context = handlerClass.getMethod("getApplicationContext").invoke(handler);
            Class<?> priming = Class.forName("dev.flywheel.function.Priming");
            Object bean = Class.forName("io.micronaut.context.BeanLocator").getMethod("getBean", Class.class).invoke(context, priming);
            Object report = priming.getMethod("prime").invoke(bean);
            List<?> failed = (List<?>) report.getClass().getMethod("failed").invoke(report);
            if (!failed.isEmpty()) {
                throw new IllegalStateException("priming failed: " + failed);
            }
        }
        long primedAt = System.currentTimeMillis();

        Class<?> contextType = Class.forName("com.amazonaws.services.lambda.runtime.Context");
        Class<?> mapperType = Class.forName("com.fasterxml.jackson.databind.ObjectMapper");
        Object mapper = mapperType.getConstructor().newInstance();
        mapperType.getMethod("configure", Class.forName("com.fasterxml.jackson.databind.MapperFeature"), boolean.class)
                .invoke(mapper, enumValue("com.fasterxml.jackson.databind.MapperFeature", "ACCEPT_CASE_INSENSITIVE_PROPERTIES"), true);
        mapperType.getMethod("configure", Class.forName("com.fasterxml.jackson.databind.DeserializationFeature"), boolean.class)
                .invoke(mapper, enumValue("com.fasterxml.jackson.databind.DeserializationFeature", "FAIL_ON_UNKNOWN_PROPERTIES"), false);
        Object input = mapperType.getMethod("readValue", String.class, Class.class).invoke(mapper, Files.readString(event), inputType(handlerClass));
        Object context = Proxy.newProxyInstance(ColdStartProbe.class.getClassLoader(), new Class<?>[]{contextType}, (p, m, a) -> switch (m.getName()) {
            case "getAwsRequestId" -> UUID.randomUUID().toString();
            case "getFunctionName" -> handlerName;
            case "getRemainingTimeInMillis" -> 30_000;
            case "getMemoryLimitInMB" -> 2048;
            case "hashCode" -> System.identityHashCode(p);
            case "equals" -> p == a[0];
            case "toString" -> "ColdStartContext";
            default -> null;
        });
        Method handle = handlerClass.getMethod("handleRequest", Object.class, contextType);
        handle.invoke(handler, input, context);
        long doneAt = System.currentTimeMillis();

        Runtime rt = Runtime.getRuntime();
        long heapUsedMb = (rt.totalMemory() - rt.freeMemory()) / (1024 * 1024);
        System.out.printf("COLDSTART {\"main\":%d,\"logging\":%d,\"ready\":%d,\"primed\":%d,\"done\":%d,\"peakRssKb\":%d,\"heapUsedMb\":%d}%n",
                mainAt, loggingAt, readyAt, primedAt, doneAt, peakRssKb(), heapUsedMb);
        System.out.flush();
        Runtime.getRuntime().halt(0); // the handler's non-daemon threads (SDK, Micronaut) would keep the JVM up
    }

    private static long peakRssKb() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return -1;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object enumValue(String type, String name) throws ClassNotFoundException {
        return Enum.valueOf((Class<Enum>) Class.forName(type), name);
    }

    private static Class<?> inputType(Class<?> handler) {
        for (Class<?> c = handler; c != null; c = c.getSuperclass()) {
            Type t = c.getGenericSuperclass();
            if (t instanceof ParameterizedType pt && pt.getActualTypeArguments().length == 2) {
                Type in = pt.getActualTypeArguments()[0];
                if (in instanceof Class<?> cls) {
                    return cls;
                }
                if (in instanceof ParameterizedType p && p.getRawType() instanceof Class<?> raw) {
                    return raw;
                }
            }
        }
        throw new IllegalStateException(handler + " declares no input type");
    }
}
