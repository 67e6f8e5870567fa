package dev.flywheel.function;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micronaut.context.ApplicationContext;
import io.micronaut.jackson.databind.JacksonDatabindMapper;
import io.micronaut.json.JsonMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A function's context holds one ObjectMapper, configured here, and the functions' main code makes no other. */
class JsonMapperSettingsTest {

    @Test
    void theContextHasOneMapperThatReadsTheEventAndKeepsNullsAndEmptyLists() throws Exception {
        try (ApplicationContext context = ApplicationContext.run(Map.of("flywheel.priming.enabled", "false"))) {
            ObjectMapper bean = context.getBean(ObjectMapper.class);
            // MicronautRequestHandler reads the Lambda event through the JsonMapper bean: it wraps the same instance.
            assertSame(bean, ((JacksonDatabindMapper) context.getBean(JsonMapper.class)).getObjectMapper());
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("statusReason", null);
            body.put("ownerHistory", List.of());
            body.put("Dimensions", List.of(List.of()));
            assertEquals("{\"statusReason\":null,\"ownerHistory\":[],\"Dimensions\":[[]]}", bean.writeValueAsString(body),
                    "documented members that are null or empty are written (Micronaut's default NON_EMPTY drops them)");
            assertEquals(bean.writeValueAsString(body), JsonMapperSettings.configure(new ObjectMapper()).writeValueAsString(body),
                    "tests that configure a plain mapper write what the bean writes");
        }
    }

    @Test
    void functionMainCodeBuildsNoMapperOfItsOwn() throws IOException {
        Path functions = Path.of("..").toAbsolutePath().normalize();
        List<String> offenders = new ArrayList<>();
        try (Stream<Path> files = Files.walk(functions)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java") && p.toString().contains("/src/main/java/")).toList()) {
                if (Files.readString(f).contains("new ObjectMapper(")) {
                    offenders.add(functions.relativize(f).toString());
                }
            }
        }
        assertTrue(functions.resolve("proof-verifier/src/main/java").toFile().isDirectory(), "runs from functions/function-support");
        assertEquals(List.of(), offenders, "inject the context's ObjectMapper (JsonMapperSettings) instead");
    }
}
