package dev.flywheel.deploy;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Every {@code Handler} in template.yaml names a public class, with a public no-argument constructor and the named
 * method, inside the jar its CodeUri points at: what Lambda needs to start it; and the jar logs with
 * function-support's logback.xml. An *IT because the jars exist only
 * after {@code package} (the function modules come before this one in the reactor).
 */
class HandlerArtifactsIT {

    @Test
    void everyHandlerIsInItsFunctionsJar() throws Exception {
        List<FunctionArtifact> functions = FunctionArtifact.all(Template.load());
        assertFalse(functions.isEmpty(), "the template declares no function");
        List<String> problems = new ArrayList<>();
        for (FunctionArtifact f : functions) {
            if (!Files.isRegularFile(f.jar())) {
                problems.add(f.logicalId() + ": no artifact at " + f.jar() + " (run `mvn package`)");
                continue;
            }
            try (var loader = f.isolatedLoader()) {
                Class<?> handler = Class.forName(f.handlerClass(), false, loader);
                Class<?> requestHandler = Class.forName("com.amazonaws.services.lambda.runtime.RequestHandler", false, loader);
                Class<?> streamHandler = Class.forName("com.amazonaws.services.lambda.runtime.RequestStreamHandler", false, loader);
                if (!requestHandler.isAssignableFrom(handler) && !streamHandler.isAssignableFrom(handler)) {
                    problems.add(f.logicalId() + ": " + f.handlerClass() + " is neither a RequestHandler nor a RequestStreamHandler");
                }
                if (!Modifier.isPublic(handler.getModifiers()) || Modifier.isAbstract(handler.getModifiers())) {
                    problems.add(f.logicalId() + ": " + f.handlerClass() + " is not a public concrete class");
                }
                handler.getConstructor();
                Method[] named = Arrays.stream(handler.getMethods()).filter(m -> m.getName().equals(f.handlerMethod())).toArray(Method[]::new);
                if (named.length == 0) {
                    problems.add(f.logicalId() + ": " + f.handlerClass() + " has no public method " + f.handlerMethod());
                }
                // One logging configuration, inherited from function-support: the same bytes in every jar.
                try (var in = loader.findResource("logback.xml") == null ? null : loader.findResource("logback.xml").openStream()) {
                    byte[] shared = Files.readAllBytes(Template.repoRoot().resolve("functions/function-support/src/main/resources/logback.xml"));
                    if (in == null || !Arrays.equals(in.readAllBytes(), shared)) {
                        problems.add(f.logicalId() + ": logback.xml in the jar is missing or not function-support's");
                    }
                }
                System.out.printf("%-24s %-55s in %s%n", f.logicalId(), f.handlerClass() + "::" + f.handlerMethod(),
                        f.jar().getFileName());
            } catch (ClassNotFoundException | NoSuchMethodException e) {
                problems.add(f.logicalId() + ": " + e);
            }
        }
        assertEquals(List.of(), problems, String.join("\n", problems));
    }
}
