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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One {@code AWS::Serverless::Function} of the template and what it deploys: the jar its CodeUri names, the
 * handler class and method, and its sample events ({@code events/<module dir>/*.json}).
 */
record FunctionArtifact(String logicalId, String moduleDir, Path jar, String handlerClass, String handlerMethod, Path eventsDir) {
    private static final Pattern CODE_URI = Pattern.compile("functions/([a-z0-9-]+)/target/[^/]+\\.jar");

    static List<FunctionArtifact> all(Template t) {
        List<FunctionArtifact> out = new ArrayList<>();
        t.resources("AWS::Serverless::Function").forEach((id, f) -> out.add(of(t, id, f)));
        return out;
    }

    private static FunctionArtifact of(Template t, String id, JsonNode f) {
        String codeUri = t.functionProperty(f, "CodeUri").asText();
        Matcher m = CODE_URI.matcher(codeUri);
        if (!m.matches()) {
            throw new IllegalStateException(id + ": CodeUri " + codeUri + " is not functions/<dir>/target/<jar>");
        }
        String handler = t.functionProperty(f, "Handler").asText();
        String[] parts = handler.split("::", 2);
        return new FunctionArtifact(id, m.group(1), t.root().resolve(codeUri), parts[0], parts.length > 1 ? parts[1] : "handleRequest",
                t.root().resolve("events").resolve(m.group(1)));
    }

    List<Path> events() {
        if (!Files.isDirectory(eventsDir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(eventsDir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
