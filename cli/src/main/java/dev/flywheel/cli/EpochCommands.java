package dev.flywheel.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.core.epoch.DeviceLocations;
import dev.flywheel.core.epoch.EpochCloser;
import dev.flywheel.core.epoch.EpochRecompute;
import dev.flywheel.core.network.NetworkConfig;
import dev.flywheel.core.network.NetworkConfigLoader;
import dev.flywheel.dynamodb.DynamoEpochWork;
import dev.flywheel.dynamodb.DynamoDeviceRegistry;
import dev.flywheel.dynamodb.DynamoEpochLedger;
import dev.flywheel.dynamodb.TableNames;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import dev.flywheel.core.merkle.LeafDomain;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code flywheel epoch show N} prints an epoch's stored canonical manifest; {@code flywheel epoch
 * recompute N} recomputes it from the stored verified work under the rules version it was closed with
 * and prints the differences (exit 0: identical, 3: different). Both read DynamoDB directly (operators:
 * the AWS default credentials chain; tables from {@code FLYWHEEL_*_TABLE} or {@code --stack}).
 */
@Command(name = "epoch", description = "Operators and owners: show or recompute an epoch's reward manifest.",
        subcommands = {EpochCommands.Show.class, EpochCommands.Recompute.class})
final class EpochCommands implements Callable<Integer> {
    static final int DIFFERS = 3;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(), "give show or recompute");
    }

    abstract static class LedgerCommand implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;
        @Parameters(index = "0", description = "epoch number")
        long epoch;
        @Option(names = "--stack", description = "stack whose tables to read (default: FLYWHEEL_*_TABLE when set, else flywheel-devnet)")
        String stack;

        TableNames tables() {
            Map<String, String> env = System.getenv();
            if (stack == null && env.containsKey("FLYWHEEL_LEDGER_TABLE")) {
                return TableNames.fromEnvironment(env);
            }
            return TableNames.forStack(stack == null ? "flywheel-devnet" : stack);
        }

        static DynamoDbClient dynamo() {
            return DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create()).build();
        }

        PrintWriter out() {
            return spec.commandLine().getOut();
        }
    }

    @Command(name = "show", description = "Print an epoch's stored manifest (canonical JSON, RFC 8785).")
    static final class Show extends LedgerCommand {
        @Override
        public Integer call() {
            try (DynamoDbClient dynamo = dynamo()) {
                byte[] doc = new DynamoEpochLedger(dynamo, tables()).manifestDocument(epoch).orElseThrow(
                        () -> new IllegalArgumentException("epoch " + epoch + " has no stored manifest"));
                out().println(new String(doc, StandardCharsets.UTF_8));
                return 0;
            }
        }
    }

    @Command(name = "recompute", description = "Recompute an epoch from stored work and diff it against its manifest.")
    static final class Recompute extends LedgerCommand {
        @Option(names = "--config", description = "network configuration file (default: the packaged config/network.json)")
        Path config;
        @Option(names = "--chain-id", description = "chain the roots are published to (default: $FLYWHEEL_CHAIN_ID)")
        Long chainId;
        @Option(names = "--distributor", description = "RewardsDistributor address the leaves are bound to (default: $FLYWHEEL_DISTRIBUTOR_ADDRESS)")
        String distributor;
        @Option(names = "--workers", description = "segments read in parallel (default 2)")
        int workers = 2;
        @Option(names = "--no-progress", description = "no progress bar on stderr")
        boolean quiet;

        /** Leaves are bound to the chain and distributor (docs/settlement.md), so a recompute needs both. */
        private LeafDomain leafDomain() {
            Map<String, String> env = System.getenv();
            String chain = chainId != null ? chainId.toString() : env.get("FLYWHEEL_CHAIN_ID");
            String address = distributor != null ? distributor : env.get("FLYWHEEL_DISTRIBUTOR_ADDRESS");
            if (chain == null || address == null) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "give --chain-id and --distributor (or set FLYWHEEL_CHAIN_ID and FLYWHEEL_DISTRIBUTOR_ADDRESS)");
            }
            return new LeafDomain(Long.parseLong(chain), address);
        }

        @Override
        public Integer call() {
            NetworkConfig network = config == null ? NetworkConfigLoader.packaged() : NetworkConfigLoader.load(config);
            try (DynamoDbClient dynamo = dynamo()) {
                TableNames t = tables();
                var ledger = new DynamoEpochLedger(dynamo, t);
                var closer = new EpochCloser(ledger, new DynamoEpochWork(dynamo, t),
                        DeviceLocations.from(new DynamoDeviceRegistry(dynamo, t.devices())), network, Clock.systemUTC(), workers,
                        leafDomain());
                PrintWriter err = spec.commandLine().getErr();
                EpochCloser.Progress bar = quiet ? EpochCloser.Progress.NONE : (done, all, devices) -> {
                    int width = 30;
                    int filled = all == 0 ? width : done * width / all;
                    err.printf("\r[%s%s] %d/%d segments, %,d devices", "#".repeat(filled), ".".repeat(width - filled),
                            done, all, devices);
                    err.flush();
                };
                EpochRecompute.Result r = new EpochRecompute(ledger, closer, network).recompute(epoch, bar);
                if (!quiet) {
                    err.println();
                }
                ObjectNode o = KeyFiles.JSON.createObjectNode();
                o.put("epoch", r.epoch());
                o.put("configVersion", r.configVersion());
                o.put("devices", r.devices());
                o.put("storedHash", r.storedHash());
                o.put("recomputedHash", r.recomputedHash());
                o.put("matches", r.matches());
                r.differences().forEach(o.putArray("differences")::add);
                if (r.differences().isEmpty()) {
                    o.putArray("differences");
                }
                out().println(o);
                return r.matches() ? 0 : DIFFERS;
            }
        }
    }
}
