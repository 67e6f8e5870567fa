package dev.flywheel.core.proof;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The layers of proof handling, read from the main sources' imports: {@code proof} (the envelope and what a type
 * implements) imports no verifier and no type; {@code verify} (the pipeline) and the epoch code import no type
 * package (they find types through {@link ProofTypes}); no package of proof handling imports another that imports it
 * back.
 */
class PackageLayersTest {
    private static final Path MAIN = Path.of("src/main/java/dev/flywheel/core");
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?dev\\.flywheel\\.core\\.([a-z0-9.]+)\\.[A-Z]", Pattern.MULTILINE);
    private static final Pattern QUALIFIED = Pattern.compile("(?<![\\w.])dev\\.flywheel\\.core\\.([a-z0-9.]+)\\.[A-Z]");

    @Test
    void proofImportsNeitherTheVerifierNorAnyType() throws IOException {
        Map<String, Set<String>> deps = dependencies();
        assertTrue(Set.of("crypto", "json").containsAll(deps.get("proof")), "packages proof imports: " + deps.get("proof"));
    }

    @Test
    void verifierAndEpochCodeFindTypesThroughTheRegistryOnly() throws IOException {
        Map<String, Set<String>> deps = dependencies();
        for (String pkg : List.of("verify", "epoch", "reward", "network", "entropy")) {
            Set<String> imported = deps.getOrDefault(pkg, Set.of());
            assertTrue(imported.stream().noneMatch(p -> p.startsWith("types")), "packages " + pkg + " imports: " + imported);
        }
    }

    /** Scoped to proof handling: epoch and network still name each other (reward configuration, not proof types). */
    @Test
    void noProofPackageOnACycle() throws IOException {
        Map<String, Set<String>> deps = dependencies();
        List<String> cycles = new ArrayList<>();
        for (String from : deps.keySet()) {
            boolean proofHandling = from.equals("proof") || from.equals("verify") || from.equals("entropy") || from.startsWith("types");
            if (proofHandling && reaches(deps, from, from, new TreeSet<>())) {
                cycles.add(from);
            }
        }
        assertEquals(List.of(), cycles, "packages on an import cycle (graph: " + deps + ")");
    }

    private static boolean reaches(Map<String, Set<String>> deps, String start, String target, Set<String> seen) {
        for (String next : deps.getOrDefault(start, Set.of())) {
            if (next.equals(target) || (seen.add(next) && reaches(deps, next, target, seen))) {
                return true;
            }
        }
        return false;
    }

    /** Package (relative to dev.flywheel.core) -> the other core packages its classes name. */
    private static Map<String, Set<String>> dependencies() throws IOException {
        Map<String, Set<String>> deps = new TreeMap<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String pkg = MAIN.relativize(f.getParent()).toString().replace('/', '.');
                String src = Files.readString(f);
                Set<String> out = deps.computeIfAbsent(pkg, k -> new TreeSet<>());
                for (Pattern p : List.of(IMPORT, QUALIFIED)) {
                    Matcher m = p.matcher(src);
                    while (m.find()) {
                        String target = m.group(1);
                        if (!target.equals(pkg)) {
                            out.add(target);
                        }
                    }
                }
            }
        }
        return deps;
    }
}
