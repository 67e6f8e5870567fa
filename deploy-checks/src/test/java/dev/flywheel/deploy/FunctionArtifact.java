package dev.flywheel.deploy;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One {@code AWS::Serverless::Function} of the template and what it deploys: the jar its CodeUri names, the
 * handler class and method, and its sample events ({@code events/<module dir>/*.json}). A function whose Handler is
 * conditional ({@code !If [condition, handler, handler]}, e.g. the verifier's SQS or Kinesis entry point) is one
 * artifact per entry point, each with the sample events its input type takes.
 *
 * @param condition null, or the condition that selects this entry point ({@code !<condition>} for the else branch)
 */
record FunctionArtifact(String logicalId, String moduleDir, Path jar, String handlerClass, String handlerMethod, Path eventsDir,
                        String condition) {
    /** A sample event's {@code Records[0].eventSource} -> the aws-lambda-java-events type its handler takes. */
    private static final Map<String, String> EVENT_TYPES = Map.of(
            "aws:sqs", "com.amazonaws.services.lambda.runtime.events.SQSEvent",
            "aws:kinesis", "com.amazonaws.services.lambda.runtime.events.KinesisEvent");

    private static final Pattern CODE_URI = Pattern.compile("functions/([a-z0-9-]+)/target/[^/]+\\.jar");

    static List<FunctionArtifact> all(Template t) {
        List<FunctionArtifact> out = new ArrayList<>();
        t.resources("AWS::Serverless::Function").forEach((id, f) -> out.addAll(of(t, id, f)));
        return out;
    }

    private static List<FunctionArtifact> of(Template t, String id, JsonNode f) {
        String codeUri = t.functionProperty(f, "CodeUri").asText();
        Matcher m = CODE_URI.matcher(codeUri);
        if (!m.matches()) {
            throw new IllegalStateException(id + ": CodeUri " + codeUri + " is not functions/<dir>/target/<jar>");
        }
        JsonNode handler = t.functionProperty(f, "Handler");
        if (handler.isArray() && handler.size() == 3 && handler.get(0).isTextual()) {
            String condition = handler.get(0).asText();
            return List.of(of(t, id, m.group(1), codeUri, handler.get(1).asText(), condition),
                    of(t, id, m.group(1), codeUri, handler.get(2).asText(), "!" + condition));
        }
        return List.of(of(t, id, m.group(1), codeUri, handler.asText(), null));
    }

    private static FunctionArtifact of(Template t, String id, String moduleDir, String codeUri, String handler, String condition) {
        String[] parts = handler.split("::", 2);
        return new FunctionArtifact(id, moduleDir, t.root().resolve(codeUri), parts[0], parts.length > 1 ? parts[1] : "handleRequest",
                t.root().resolve("events").resolve(moduleDir), condition);
    }

    /** The logical id, with the entry point's condition when the function has several. */
    String label() {
        return condition == null ? logicalId : logicalId + "[" + condition + "]";
    }

    /** Every sample event of the function's directory, whichever entry point takes it. */
    List<Path> allEvents() {
        if (!Files.isDirectory(eventsDir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(eventsDir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The sample events this entry point takes: an event whose {@code Records[0].eventSource} names a known event type
     * goes only to the handler whose input is that type (the jar must be built to tell); any other event to every one.
     */
    List<Path> events() {
        List<Path> all = allEvents();
        if (condition == null || !Files.isRegularFile(jar)) {
            return all;
        }
        String input;
        try (URLClassLoader loader = isolatedLoader()) {
            input = JarInvoker.inputType(Class.forName(handlerClass, false, loader)).getName();
        } catch (IOException | ClassNotFoundException e) {
            throw new IllegalStateException(label() + ": " + e, e);
        }
        return all.stream().filter(event -> {
            String type = EVENT_TYPES.get(Template.parse(event).path("Records").path(0).path("eventSource").asText());
            return type == null || type.equals(input);
        }).toList();
    }

    /** A class loader over the jar alone (parent: the platform loader), as Lambda's runtime sees the artifact. */
    URLClassLoader isolatedLoader() {
        try {
            return new URLClassLoader(logicalId, new URL[]{jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
        } catch (MalformedURLException e) {
            throw new IllegalStateException(e);
        }
    }
}
