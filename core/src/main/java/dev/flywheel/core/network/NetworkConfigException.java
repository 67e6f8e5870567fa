package dev.flywheel.core.network;

import java.util.List;

/** A network configuration that was refused; every problem names its field (a JSON path) and value. */
public final class NetworkConfigException extends RuntimeException {
    private final List<String> problems;

    public NetworkConfigException(List<String> problems) {
        super("invalid network configuration: " + String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
