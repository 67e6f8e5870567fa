package dev.flywheel.function;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import jakarta.inject.Singleton;

/**
 * The one place that configures the functions' JSON: every function uses the context's single {@link ObjectMapper}
 * bean (micronaut-jackson-databind, the same mapper that reads the Lambda event), injected into handlers and beans
 * and passed as a parameter to static helpers, so a JVM builds and warms one mapper, not one per class.
 *
 * <p>Micronaut's default inclusion is NON_EMPTY, which drops null values and empty lists, also inside maps; the
 * documented answers carry such members ({@code "statusReason": null}, {@code "ownerHistory": []},
 * {@code "Dimensions": [[]]}), so the mapper writes every member, as a plain Jackson mapper does.
 */
@Singleton
public class JsonMapperSettings implements BeanCreatedEventListener<ObjectMapper> {

    @Override
    public ObjectMapper onCreated(BeanCreatedEvent<ObjectMapper> event) {
        return configure(event.getBean());
    }

    /** Applies the functions' settings to {@code mapper} (tests that run a helper without a context use it too). */
    public static ObjectMapper configure(ObjectMapper mapper) {
        return mapper.setSerializationInclusion(JsonInclude.Include.ALWAYS);
    }
}
