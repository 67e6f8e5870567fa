package dev.flywheel.dynamodb;

import java.util.Map;
import java.util.Objects;

/** The five tables template.yaml declares; functions receive their names through the environment. */
public record TableNames(String devices, String ledger, String epochs, String rewards, String settlements) {

    public static TableNames fromEnvironment(Map<String, String> env) {
        return new TableNames(
                required(env, "FLYWHEEL_DEVICES_TABLE"),
                required(env, "FLYWHEEL_LEDGER_TABLE"),
                required(env, "FLYWHEEL_EPOCHS_TABLE"),
                required(env, "FLYWHEEL_REWARDS_TABLE"),
                required(env, "FLYWHEEL_SETTLEMENTS_TABLE"));
    }

    /** The names a stack called {@code stackName} gets (template.yaml: {@code ${AWS::StackName}-<suffix>}). */
    public static TableNames forStack(String stackName) {
        return new TableNames(stackName + "-devices", stackName + "-proof-ledger", stackName + "-epochs",
                stackName + "-rewards", stackName + "-settlements");
    }

    public Map<String, String> asEnvironment() {
        return Map.of("FLYWHEEL_DEVICES_TABLE", devices, "FLYWHEEL_LEDGER_TABLE", ledger,
                "FLYWHEEL_EPOCHS_TABLE", epochs, "FLYWHEEL_REWARDS_TABLE", rewards,
                "FLYWHEEL_SETTLEMENTS_TABLE", settlements);
    }

    private static String required(Map<String, String> env, String name) {
        return Objects.requireNonNull(env.get(name), () -> "environment variable " + name + " is not set");
    }
}
