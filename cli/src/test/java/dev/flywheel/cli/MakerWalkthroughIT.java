package dev.flywheel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the walk-through of docs/onboarding.md exactly as written: the bash block after
 * {@code <!-- walkthrough -->}, with bash {@code -euo pipefail}, from the repository root, on the devnet
 * {@code scripts/test} started (its environment: state dir, ports, {@code FLYWHEEL_HOST_PORT}). It starts the
 * maker host itself ({@code scripts/devnet host start}); the host is stopped afterwards. Passing means every
 * command succeeded and the output shows the proof accepted, the epoch's reward to the device, the root on
 * chain and the owner's claim paid. It lives in the cli module, which test-depends on the devnet module, so
 * both the CLI jar and the host's classpath are built when it runs.
 */
class MakerWalkthroughIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern BLOCK = Pattern.compile("<!-- walkthrough -->\\s*```bash\\n(.*?)```", Pattern.DOTALL);

    @Test
    void theOnboardingWalkthroughRunsAsWrittenFromKeysToAClaimedReward() throws Exception {
        Path root = Path.of("").toAbsolutePath().getParent();
        assertTrue(Files.exists(root.resolve("scripts/devnet")), "run from the cli module of a Flywheel checkout: " + root);
        Matcher m = BLOCK.matcher(Files.readString(root.resolve("docs/onboarding.md")));
        assertTrue(m.find(), "docs/onboarding.md has no '<!-- walkthrough -->' bash block");
        String script = m.group(1);

        List<String> lines = new ArrayList<>();
        int exit;
        try {
            // The ERR trap names the command that failed: CI keeps only the assertion message and a tail of output.
            String traced = "trap 'echo \"[walkthrough failed] line $LINENO (exit $?): $BASH_COMMAND\"' ERR\n" + script;
            Process p = new ProcessBuilder("bash", "-euo", "pipefail", "-c", traced).directory(root.toFile())
                    .redirectErrorStream(true).start();
            try (var out = p.inputReader(StandardCharsets.UTF_8)) {
                for (String line; (line = out.readLine()) != null; ) {
                    System.out.println("[walkthrough] " + line);
                    lines.add(line);
                }
            }
            assertTrue(p.waitFor(10, TimeUnit.MINUTES), "the walk-through did not finish in 10 minutes");
            exit = p.exitValue();
        } finally {
            Process stop = new ProcessBuilder(root.resolve("scripts/devnet").toString(), "host", "stop").directory(root.toFile())
                    .inheritIO().start();
            stop.waitFor(2, TimeUnit.MINUTES);
        }
        assertEquals(0, exit, () -> "a command of the walk-through failed:\n" + tail(lines, 15) + "\nhost log:\n" + hostLogTail());

        JsonNode receipt = lastJsonWith(lines, "outcome");
        assertEquals("accepted", receipt.path("outcome").asText(), "the device's proof was accepted: " + receipt);
        JsonNode closed = lastJsonWith(lines, "rewards");
        assertEquals(receipt.path("epoch").asLong(), closed.path("epoch").asLong(), "the epoch the proof was credited in was closed");
        assertEquals(1, closed.path("rewards").size());
        String device = closed.path("rewards").get(0).path("deviceId").asText();
        assertTrue(device.startsWith("maker-sensor-"), device);
        BigInteger reward = new BigInteger(closed.path("rewards").get(0).path("amount").asText());
        assertTrue(reward.signum() > 0);
        JsonNode settled = lastJsonWith(lines, "rootTx");
        assertTrue(settled.path("rootTx").asText().startsWith("0x"), settled.toString());
        JsonNode claimed = lastJsonWith(lines, "amountPaid");
        assertEquals(reward, new BigInteger(claimed.path("amountPaid").asText()), "the owner was paid the device's reward");
        assertEquals(reward, new BigInteger(claimed.path("tokenBalance").asText()), "a fresh distributor: balance = this claim");
        System.out.printf("[walkthrough] %s earned %s token units in epoch %d; claimed in %s%n", device, reward,
                closed.path("epoch").asLong(), claimed.path("txHash").asText());
    }

    private static String tail(List<String> lines, int n) {
        return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    }

    /** The last lines of the maker host's log, where a failed close, settle or verdict says why. */
    private static String hostLogTail() {
        String dir = System.getenv().getOrDefault("FLYWHEEL_DEVNET_DIR", "");
        Path log = Path.of(dir, "logs", "host.log");
        try {
            return tail(Files.readAllLines(log), 25);
        } catch (Exception e) {
            return "(no host log at " + log + ": " + e + ")";
        }
    }

    private static JsonNode lastJsonWith(List<String> lines, String member) throws Exception {
        for (int i = lines.size() - 1; i >= 0; i--) {
            String line = lines.get(i).strip();
            if (line.startsWith("{") && line.contains("\"" + member + "\"")) {
                return JSON.readTree(line);
            }
        }
        throw new AssertionError("no JSON line with '" + member + "' in the walk-through's output");
    }
}
