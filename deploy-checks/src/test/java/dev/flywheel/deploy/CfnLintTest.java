package dev.flywheel.deploy;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `cfn-lint template.yaml` (with the SAM translator) is clean. scripts/setup installs cfn-lint; scripts/test runs it too. */
class CfnLintTest {

    @Test
    void templateIsLintClean() throws Exception {
        Path cfnLint = onPath("cfn-lint");
        Assumptions.assumeTrue(cfnLint != null, "cfn-lint is not on PATH (scripts/setup installs it): skipped");
        Template t = Template.load();
        Process p = new ProcessBuilder(cfnLint.toString(), "template.yaml").directory(t.root().toFile())
                .redirectErrorStream(true).start();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "cfn-lint did not finish in 5 minutes");
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "cfn-lint template.yaml:\n" + output);
    }

    static Path onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
