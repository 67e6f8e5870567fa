package dev.flywheel.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Proxy;
import java.lang.reflect.Type;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Invokes a function as Lambda would: its jar in an isolated class loader, the no-argument constructor, the JSON
 * event deserialized into the handler's input type, a {@code Context}. Configuration goes in as system properties
 * (Micronaut reads them like the environment variables the template sets) and is cleared afterwards.
 */
final class JarInvoker {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JarInvoker() {
    }

    /** Lambda's view of the artifact: isolated loader, no-arg constructor, JSON into the declared input type. */
    static JsonNode invoke(FunctionArtifact f, Path event, Map<String, String> props) throws Exception {
        assertTrue(Files.isRegularFile(f.jar()), f.logicalId() + ": no artifact at " + f.jar() + " (run `mvn package`)");
        props.forEach(System::setProperty);
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        try (URLClassLoader loader = f.isolatedLoader()) {
            thread.setContextClassLoader(loader);
            Class<?> handlerClass = Class.forName(f.handlerClass(), true, loader);
            Class<?> contextType = Class.forName("com.amazonaws.services.lambda.runtime.Context", false, loader);
            Object handler = handlerClass.getConstructor().newInstance();
            try {
                Class<?> mapperType = Class.forName("com.fasterxml.jackson.databind.ObjectMapper", true, loader);
                Object mapper = mapperType.getConstructor().newInstance();
                // Lambda's serializer matches the events' capitalised keys (SQS "Records") to the beans' properties.
                Class<?> mapperFeature = Class.forName("com.fasterxml.jackson.databind.MapperFeature", true, loader);
                Class<?> deserFeature = Class.forName("com.fasterxml.jackson.databind.DeserializationFeature", true, loader);
                mapperType.getMethod("configure", mapperFeature, boolean.class)
                        .invoke(mapper, enumValue(mapperFeature, "ACCEPT_CASE_INSENSITIVE_PROPERTIES"), true);
                mapperType.getMethod("configure", deserFeature, boolean.class)
                        .invoke(mapper, enumValue(deserFeature, "FAIL_ON_UNKNOWN_PROPERTIES"), false);
                Object input = mapperType.getMethod("readValue", String.class, Class.class)
                        .invoke(mapper, lambdaTimestamps(Files.readString(event)), inputType(handlerClass));
                Object context = Proxy.newProxyInstance(loader, new Class<?>[]{contextType}, (proxy, method, args) -> switch (method.getName()) {
                    case "getAwsRequestId" -> "sample-" + UUID.randomUUID();
                    case "getFunctionName" -> f.logicalId();
                    case "getFunctionVersion" -> "$LATEST";
                    case "getRemainingTimeInMillis" -> 30_000;
                    case "getMemoryLimitInMB" -> 2048;
                    case "toString" -> "SampleContext[" + f.logicalId() + "]";
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> null;
                });
                Method handle = handlerClass.getMethod(f.handlerMethod(), Object.class, contextType);
                Object output = handle.invoke(handler, input, context);
                String json = (String) mapperType.getMethod("writeValueAsString", Object.class).invoke(mapper, output);
                return JSON.readTree(json);
            } finally {
                if (handler instanceof AutoCloseable closeable) {
                    closeable.close();
                }
            }
        } finally {
            thread.setContextClassLoader(previous);
            props.keySet().forEach(System::clearProperty);
        }
    }

    /**
     * Kinesis records carry {@code approximateArrivalTimestamp} as epoch seconds with a fraction, which Lambda's own
     * serializer turns into the event's {@code Date}; plain Jackson reads a {@code Date} only from milliseconds.
     */
    static String lambdaTimestamps(String event) throws java.io.IOException {
        JsonNode tree = JSON.readTree(event);
        boolean changed = false;
        for (JsonNode record : tree.path("Records")) {
            JsonNode kinesis = record.path("kinesis");
            if (kinesis.path("approximateArrivalTimestamp").isFloatingPointNumber()) {
                ((com.fasterxml.jackson.databind.node.ObjectNode) kinesis).put("approximateArrivalTimestamp",
                        Math.round(kinesis.path("approximateArrivalTimestamp").asDouble() * 1000));
                changed = true;
            }
        }
        return changed ? JSON.writeValueAsString(tree) : event;
    }

    /** I of {@code MicronautRequestHandler<I, O>} (or of a directly implemented {@code RequestHandler<I, O>}). */
    static Class<?> inputType(Class<?> handler) {
        for (Class<?> c = handler; c != null; c = c.getSuperclass()) {
            List<Type> candidates = new ArrayList<>(List.of(c.getGenericInterfaces()));
            candidates.add(c.getGenericSuperclass());
            for (Type t : candidates) {
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
        }
        throw new IllegalStateException(handler + " declares no RequestHandler<I, O> input type");
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object enumValue(Class<?> type, String name) {
        return Enum.valueOf((Class<Enum>) type, name);
    }
}
