package dev.flywheel.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * template.yaml as a tree. Jackson's YAML reader keeps a short-form intrinsic's value and drops its tag
 * ({@code !Ref X} reads as {@code "X"}, {@code !If [c, a, b]} as the list), which is all these checks need:
 * a literal {@code '*'} stays {@code "*"}, and no intrinsic reads as one.
 */
record Template(Path root, JsonNode tree) {
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    static Template load() {
        Path root = repoRoot();
        return new Template(root, parse(root.resolve("template.yaml")));
    }

    static JsonNode parse(Path file) {
        try {
            return YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode parse(String yaml) {
        try {
            return YAML.readTree(yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The checkout's root: the nearest directory up from the working directory that holds template.yaml. */
    static Path repoRoot() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("template.yaml"))) {
                return d;
            }
        }
        throw new IllegalStateException("no template.yaml in " + dir + " or any parent directory");
    }

    /** Logical id -> resource, for every resource of {@code type}, in template order. */
    Map<String, JsonNode> resources(String type) {
        return resources(tree, type);
    }

    static Map<String, JsonNode> resources(JsonNode tree, String type) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        tree.path("Resources").properties().forEach(e -> {
            if (type.equals(e.getValue().path("Type").asText())) {
                out.put(e.getKey(), e.getValue());
            }
        });
        return out;
    }

    /** A function's property, falling back to Globals.Function (as SAM merges them). */
    JsonNode functionProperty(JsonNode function, String name) {
        JsonNode own = function.path("Properties").path(name);
        return own.isMissingNode() ? tree.path("Globals").path("Function").path(name) : own;
    }
}
