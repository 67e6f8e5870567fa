package dev.flywheel.deploy;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Every {@code Handler} in template.yaml names a public class, with a public no-argument constructor and the named
 * method, inside the jar its CodeUri points at: what Lambda needs to start it; and the jar logs with
 * function-support's JsonLogConfigurator. An *IT because the jars exist only
 * after {@code package} (the function modules come before this one in the reactor).
 */
class HandlerArtifactsIT {

    @Test
    void everyHandlerIsInItsFunctionsJar() throws Exception {
        Template template = Template.load();
        List<FunctionArtifact> functions = FunctionArtifact.all(template);
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
                // One logging configuration, inherited from function-support: its configurator, registered for logback's
                // ServiceLoader, and no XML file in the jar that would make it step aside.
                var services = loader.findResource("META-INF/services/ch.qos.logback.classic.spi.Configurator");
                String registered = services == null ? "" : new String(services.openStream().readAllBytes(),
                        java.nio.charset.StandardCharsets.UTF_8).strip();
                if (!registered.equals("dev.flywheel.function.JsonLogConfigurator")) {
                    problems.add(f.logicalId() + ": the jar does not register function-support's JsonLogConfigurator with logback: '"
                            + registered + "'");
                } else {
                    Class.forName(registered, false, loader);
                }
                for (String xml : List.of("logback.xml", "logback-test.xml")) {
                    if (loader.findResource(xml) != null) {
                        problems.add(f.logicalId() + ": the jar carries " + xml + ", which replaces the JSON logging");
                    }
                }
                if (template.functionProperty(functionOf(template, f), "Architectures").toString().contains("arm64")) {
                    problems.addAll(missingArm64Twins(f));
                }
                System.out.printf("%-24s %-55s in %s%n", f.logicalId(), f.handlerClass() + "::" + f.handlerMethod(),
                        f.jar().getFileName());
            } catch (ClassNotFoundException | NoSuchMethodException e) {
                problems.add(f.logicalId() + ": " + e);
            }
        }
        assertEquals(List.of(), problems, String.join("\n", problems));
    }

    private static com.fasterxml.jackson.databind.JsonNode functionOf(Template t, FunctionArtifact f) {
        return t.resources("AWS::Serverless::Function").get(f.logicalId());
    }

    private static final Pattern LINUX_X64 = Pattern.compile("(linux-x64|/amd64/|x86_64-Linux)/");
    private static final Pattern LINUX_ARM64 = Pattern.compile("(linux-arm64|/aarch64/|aarch64-Linux)/");

    /** Every Linux x86-64 native library in the jar (by file name) also ships for Linux aarch64. */
    static List<String> missingArm64Twins(FunctionArtifact f) throws java.io.IOException {
        java.util.Set<String> x64 = new java.util.TreeSet<>();
        java.util.Set<String> arm64 = new java.util.TreeSet<>();
        try (var jar = new java.util.jar.JarFile(f.jar().toFile())) {
            jar.stream().map(java.util.jar.JarEntry::getName).filter(n -> n.endsWith(".so")).forEach(n -> {
                String file = n.substring(n.lastIndexOf('/') + 1);
                if (LINUX_X64.matcher("/" + n).find()) {
                    x64.add(file);
                } else if (LINUX_ARM64.matcher("/" + n).find()) {
                    arm64.add(file);
                }
            });
        }
        x64.removeAll(arm64);
        return x64.stream().map(lib -> f.logicalId() + ": arm64, but " + lib + " has no linux-aarch64 build in the jar").toList();
    }
}
