package dev.flywheel.devnet;

import dev.flywheel.device.mqtt.MqttEndpoint;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Where the local stand-ins are, as {@code scripts/devnet up} wrote them to {@code .devnet/env}.
 * Keys live in files under the devnet's secrets folder; the provisioner loads them into the local
 * Secrets Manager, which is where the functions read them, exactly as on AWS.
 */
public record DevnetConfig(Path repoRoot, String stackName, MqttEndpoint mqtt, Path caCert, Path caKey,
                           Path rulesEngineCert, Path rulesEngineKey, Path certsDir, String chainRpc, long chainId,
                           Path operatorKeyFile, Path ownerKeyFile, int hostPort) {

    public static DevnetConfig fromEnvironment(Map<String, String> env) {
        String missing = "is not set: start the devnet with scripts/devnet up and source .devnet/env";
        java.util.function.Function<String, String> req = name -> Objects.requireNonNull(env.get(name), name + " " + missing);
        return new DevnetConfig(
                findRepoRoot(Path.of("").toAbsolutePath()),
                env.getOrDefault("FLYWHEEL_STACK_NAME", "flywheel-devnet"),
                MqttEndpoint.fromEnv(env),
                Path.of(req.apply("FLYWHEEL_DEVNET_CA_CERT")),
                Path.of(req.apply("FLYWHEEL_DEVNET_CA_KEY")),
                Path.of(req.apply("FLYWHEEL_RULES_ENGINE_CERT")),
                Path.of(req.apply("FLYWHEEL_RULES_ENGINE_KEY")),
                Path.of(req.apply("FLYWHEEL_DEVNET_CERTS_DIR")),
                req.apply("FLYWHEEL_CHAIN_RPC"),
                Long.parseLong(req.apply("FLYWHEEL_CHAIN_ID")),
                Path.of(req.apply("FLYWHEEL_DEVNET_OPERATOR_KEY_FILE")),
                Path.of(req.apply("FLYWHEEL_DEVNET_OWNER_KEY_FILE")),
                Integer.parseInt(env.getOrDefault("FLYWHEEL_HOST_PORT", "8787")));
    }

    /** The same devnet under another stack name: fresh tables, queues and secrets. */
    public DevnetConfig withStackName(String name) {
        return new DevnetConfig(repoRoot, name, mqtt, caCert, caKey, rulesEngineCert, rulesEngineKey, certsDir, chainRpc,
                chainId, operatorKeyFile, ownerKeyFile, hostPort);
    }

    public Path template() {
        return repoRoot.resolve("template.yaml");
    }

    static Path findRepoRoot(Path from) {
        for (Path p = from; p != null; p = p.getParent()) {
            if (Files.exists(p.resolve("template.yaml")) && Files.exists(p.resolve("pom.xml"))) {
                return p;
            }
        }
        throw new IllegalStateException("no template.yaml above " + from + ": run from the Flywheel checkout");
    }
}
