package dev.flywheel.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The template after the SAM transform passes {@link PolicyCheck} too: the function roles SAM assembles from the
 * Policies lists, the schedules' roles (invoke + dead-letter SendMessage) and the OnFailure destination policies.
 * Runs where python3 with samtranslator (installed with cfn-lint) is available; skipped with the reason otherwise.
 */
class SamTransformPolicyTest {

    /** template.yaml after the SAM transform, or null where python3 or samtranslator is missing. */
    static JsonNode transform() throws Exception {
        Path python = CfnLintTest.onPath("python3");
        if (python == null) {
            return null;
        }
        Template t = Template.load();
        Path script = Path.of(SamTransformPolicyTest.class.getResource("/sam-transform.py").toURI());
        ProcessBuilder pb = new ProcessBuilder(python.toString(), script.toString(), t.root().resolve("template.yaml").toString());
        pb.environment().put("AWS_DEFAULT_REGION", "us-east-1");
        pb.environment().put("AWS_REGION", "us-east-1");
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), "the SAM transform did not finish");
        if (err.contains("No module named 'samtranslator'")) {
            return null;
        }
        assertEquals(0, p.exitValue(), "SAM transform failed:\n" + err);
        return new ObjectMapper().readTree(out);
    }

    @Test
    void transformedTemplateGrantsOnlyNamedActionsOnNamedResources() throws Exception {
        JsonNode transformed = transform();
        Assumptions.assumeTrue(transformed != null, "python3 with samtranslator is not available: skipped");
        long roles = transformed.path("Resources").properties().stream()
                .filter(e -> "AWS::IAM::Role".equals(e.getValue().path("Type").asText())).count();
        assertTrue(roles >= 10, "expected the function and schedule roles after the transform, found " + roles);
        List<String> violations = PolicyCheck.violations(transformed);
        assertEquals(List.of(), violations, "IAM violations after the SAM transform:\n  " + String.join("\n  ", violations));
    }
}
