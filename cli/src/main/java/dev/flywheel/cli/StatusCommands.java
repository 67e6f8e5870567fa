package dev.flywheel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * {@code flywheel status device ID | owner 0x.. | epoch N}: what the explorer shows, from the same JSON endpoints of the
 * claims API ({@code GET /network/...}, docs/explorer.md). Prints the API's JSON object. Exit status: 0 found, 2 the API
 * refused the input (unknown device or owner, malformed address, epoch out of range; its reason code and message go to
 * stderr as {@code flywheel: <code>: <message>}), 1 the API could not be reached or failed.
 */
@Command(name = "status", description = "Operators: a device's, an owner's or an epoch's status, as the explorer shows it.",
        subcommands = {StatusCommands.Device.class, StatusCommands.Owner.class, StatusCommands.Epoch.class})
final class StatusCommands implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(), "give device ID, owner ADDRESS or epoch N");
    }

    abstract static class Query implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--api", description = "claims API base URL (default: $FLYWHEEL_CLAIMS_URL without its /claims suffix)")
        String api;

        abstract String path();

        String base() {
            String url = api != null ? api : System.getenv("FLYWHEEL_CLAIMS_URL");
            if (url == null || url.isBlank()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--api or $FLYWHEEL_CLAIMS_URL is required");
            }
            url = url.replaceAll("/+$", "");
            return url.endsWith("/claims") ? url.substring(0, url.length() - "/claims".length()) : url;
        }

        static String segment(String value) {
            return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
        }

        @Override
        public Integer call() throws InterruptedException {
            String url = base() + path();
            HttpResponse<String> response;
            try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()) {
                response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                        .header("accept", "application/json").GET().build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                spec.commandLine().getErr().println("flywheel: cannot reach the claims API at " + url + ": " + e.getMessage());
                return 1;
            }
            JsonNode body;
            try {
                body = JSON.readTree(response.body());
            } catch (IOException e) {
                spec.commandLine().getErr().println("flywheel: the claims API answered " + response.statusCode() + " without JSON for " + url);
                return 1;
            }
            if (response.statusCode() >= 400) {
                spec.commandLine().getErr().println("flywheel: " + body.path("error").asText("http_" + response.statusCode())
                        + ": " + body.path("detail").asText("(no message)"));
                spec.commandLine().getOut().println(body);
                return response.statusCode() < 500 ? FlywheelCli.REFUSED : 1;
            }
            spec.commandLine().getOut().println(body);
            return 0;
        }
    }

    @Command(name = "device", description = "Status, owner, location and history, recent verdicts, units and rewards per epoch.")
    static final class Device extends Query {
        @Parameters(index = "0", description = "device id")
        String deviceId;

        @Override
        String path() {
            return "/network/devices/" + segment(deviceId);
        }
    }

    @Command(name = "owner", description = "Devices, lifetime earned, claimed (from the chain) and claimable.")
    static final class Owner extends Query {
        @Parameters(index = "0", description = "owner address, 0x followed by 40 hex digits")
        String address;

        @Override
        String path() {
            return "/network/owners/" + segment(address);
        }
    }

    @Command(name = "epoch", description = "Emission, pools, allocated and unallocated, manifest hash, root, its transaction and the on-chain match.")
    static final class Epoch extends Query {
        @Parameters(index = "0", description = "epoch number")
        String epoch;

        @Override
        String path() {
            return "/network/epochs/" + segment(epoch);
        }
    }
}
