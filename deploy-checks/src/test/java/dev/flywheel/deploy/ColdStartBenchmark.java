package dev.flywheel.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Cold start of every function, locally: a fresh JVM per run (the function's shaded jar, the template's
 * JAVA_TOOL_OPTIONS), from process start to the first handled sample event, without and with priming, on the
 * devnet's moto and Anvil. Modes alternate run by run so all see the same table state. Prints a table of
 * medians and writes deploy-checks/target/coldstart.json. A report, not a gate.
 *
 * <p>Modes: {@code cold} (the jar as deployed: logging configured in code by JsonLogConfigurator), {@code xml} (the
 * same, with the XML form of that configuration, deploy-checks' coldstart/logback-baseline.xml, loaded by logback's
 * XML configurator: the baseline the "xml/cold" ratio compares against), {@code primed} (cold, then Priming). The
 * child JVM's class path is the jar plus a directory holding only ColdStartProbe, so no test resource (the tests'
 * logback-test.xml) changes what the jar does.
 *
 * <p>What "primed" stands for: SnapStart runs init and {@code Priming} before the snapshot, so a restored
 * function's cold start is the snapshot restore plus the first invocation after priming (the "primed first event"
 * column). Restoring needs a CRaC-enabled runtime (Lambda's); this machine's JDK has none, so the restore itself is
 * not measured here.
 *
 * <p>Run with {@code scripts/coldstart} (builds the jars, starts a private devnet).
 */
public final class ColdStartBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ColdStartBenchmark() {
    }

    /** @param logMs of {@code initMs}: loading logback and running its configuration */
    record Run(long totalMs, long jvmMs, long initMs, long logMs, long primeMs, long firstEventMs, long peakRssMb, long heapUsedMb) {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        String only = args.length > 1 ? args[1] : null; // one function's logical id, e.g. ProofVerifierFunction
        Template template = Template.load();
        Path testClasses = probeOnly(Path.of(ColdStartProbe.class.getProtectionDomain().getCodeSource().getLocation().toURI()));
        Path xmlBaseline = Path.of(ColdStartBenchmark.class.getResource("/coldstart/logback-baseline.xml").toURI());
        String javaToolOptions = template.tree().path("Globals").path("Function").path("Environment").path("Variables")
                .path("JAVA_TOOL_OPTIONS").asText();
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Map<String, Map<String, List<Run>>> results = new LinkedHashMap<>();
        try (Sandbox sandbox = new Sandbox()) {
            for (FunctionArtifact f : FunctionArtifact.all(template)) {
                if (only != null && !only.equals(f.logicalId())) {
                    continue;
                }
                // One entry point per function: the default one (a conditional Handler's else branch); the others share
                // its jar and context, and the probe feeds events as plain JSON (no Kinesis timestamp conversion).
                if (f.condition() != null && !f.condition().startsWith("!")) {
                    continue;
                }
                if (!Files.isRegularFile(f.jar())) {
                    throw new IllegalStateException(f.logicalId() + ": no " + f.jar() + " (mvn package first)");
                }
                Map<String, List<Run>> modes = new LinkedHashMap<>();
                modes.put("cold", new ArrayList<>());
                modes.put("xml", new ArrayList<>());
                modes.put("primed", new ArrayList<>());
                for (int i = 0; i < runs; i++) {
                    for (String mode : modes.keySet()) {
                        Map<String, String> properties = new LinkedHashMap<>(sandbox.properties(f.logicalId()));
                        if (mode.equals("xml")) {
                            properties.put("logback.configurationFile", xmlBaseline.toString());
                        }
                        modes.get(mode).add(run(java, javaToolOptions, f, testClasses, properties, mode.equals("xml") ? "cold" : mode));
                    }
                }
                results.put(f.logicalId(), modes);
                System.err.printf("%s: cold %s%n  xml %s%n  primed %s%n", f.logicalId(), modes.get("cold"), modes.get("xml"),
                        modes.get("primed"));
            }
        }
        String table = table(results, runs, javaToolOptions);
        System.out.print(table);
        Path out = template.root().resolve("deploy-checks/target/coldstart.json");
        Files.createDirectories(out.getParent());
        Files.writeString(out, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(results));
    }

    /** A directory with ColdStartProbe's class files only (the child JVM needs nothing else of the test classes). */
    private static Path probeOnly(Path testClasses) throws IOException {
        Path dir = Files.createTempDirectory("coldstart-probe");
        Path pkg = Path.of(ColdStartProbe.class.getPackageName().replace('.', File.separatorChar));
        Files.createDirectories(dir.resolve(pkg));
        try (var files = Files.list(testClasses.resolve(pkg))) {
            for (Path c : files.filter(p -> p.getFileName().toString().startsWith(ColdStartProbe.class.getSimpleName())).toList()) {
                Files.copy(c, dir.resolve(pkg).resolve(c.getFileName()));
            }
        }
        return dir;
    }

    private static Run run(Path java, String toolOptions, FunctionArtifact f, Path testClasses, Map<String, String> properties,
                           String mode) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.addAll(Arrays.asList(toolOptions.split("\\s+")));
        command.add("--enable-native-access=ALL-UNNAMED");
        properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add("-cp");
        command.add(f.jar() + File.pathSeparator + testClasses);
        command.add(ColdStartProbe.class.getName());
        command.add(f.handlerClass());
        command.add(f.events().getFirst().toString());
        command.add(mode);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        long spawnAt = System.currentTimeMillis();
        Process p = pb.start();
        String result = null;
        StringBuilder output = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("COLDSTART ")) {
                    result = line.substring("COLDSTART ".length());
                } else if (output.length() < 4000) {
                    output.append(line).append('\n');
                }
            }
        }
        int exit = p.waitFor();
        if (exit != 0 || result == null) {
            throw new IllegalStateException(f.logicalId() + " (" + mode + ") exited " + exit + ":\n" + output);
        }
        JsonNode m = JSON.readTree(result);
        long main = m.path("main").asLong();
        long ready = m.path("ready").asLong();
        long logging = m.path("logging").asLong();
        long primed = m.path("primed").asLong();
        long done = m.path("done").asLong();
        return new Run(done - spawnAt, main - spawnAt, ready - main, logging - main, primed - ready, done - primed,
                m.path("peakRssKb").asLong() / 1024, m.path("heapUsedMb").asLong());
    }

    private static long median(List<Run> runs, java.util.function.ToLongFunction<Run> f) {
        long[] v = runs.stream().mapToLong(f).sorted().toArray();
        return v[v.length / 2];
    }

    static String table(Map<String, Map<String, List<Run>>> results, int runs, String toolOptions) {
        StringBuilder s = new StringBuilder();
        s.append(String.format("Cold start per function, median of %d fresh JVMs per mode (%s, %s %s; moto + Anvil on loopback)%n",
                runs, toolOptions, System.getProperty("java.vm.name"), System.getProperty("java.version")));
        s.append(String.format("%-24s %10s %8s %8s %7s %10s | %10s %7s %9s %8s | %8s %10s %10s | %8s%n", "function", "start->1st",
                "jvm", "init", "logging", "1st event", "xml: start", "logging", "cold/xml", "cold/xml", "priming", "primed 1st",
                "1st ratio", "peak RSS"));
        s.append(String.format("%-24s %10s %8s %8s %7s %10s | %10s %7s %9s %8s | %8s %10s %10s | %8s%n", "", "ms", "ms", "ms", "ms",
                "ms", "->1st ms", "ms", "start->1st", "logging", "ms", "event ms", "primed/cold", "MB"));
        for (var e : results.entrySet()) {
            List<Run> cold = e.getValue().get("cold");
            List<Run> xml = e.getValue().get("xml");
            List<Run> primed = e.getValue().get("primed");
            long firstCold = median(cold, Run::firstEventMs);
            long firstPrimed = median(primed, Run::firstEventMs);
            long total = median(cold, Run::totalMs);
            long xmlTotal = median(xml, Run::totalMs);
            long log = median(cold, Run::logMs);
            long xmlLog = median(xml, Run::logMs);
            s.append(String.format("%-24s %10d %8d %8d %7d %10d | %10d %7d %9.2f %8.2f | %8d %10d %10.2f | %8d%n", e.getKey(), total,
                    median(cold, Run::jvmMs), median(cold, Run::initMs), log, firstCold, xmlTotal, xmlLog,
                    xmlTotal == 0 ? 0.0 : (double) total / xmlTotal, xmlLog == 0 ? 0.0 : (double) log / xmlLog,
                    median(primed, Run::primeMs), firstPrimed,
                    firstCold == 0 ? 0.0 : (double) firstPrimed / firstCold,
                    Math.max(median(cold, Run::peakRssMb), median(primed, Run::peakRssMb))));
        }
        s.append("start->1st: process start to the first handled event without priming (= jvm + init + 1st event), logging\n");
        s.append("  configured in code (JsonLogConfigurator); xml: the same with logback's XML configurator reading the same\n");
        s.append("  configuration (coldstart/logback-baseline.xml), the baseline; cold/xml < 1 means the code path is faster.\n");
        s.append("logging: main to logback configured (part of init): loading logback and running its configuration.\n");
        s.append("primed 1st event: the first invocation after Priming ran; with SnapStart, cold start = restore + this.\n");
        return s.toString();
    }
}
