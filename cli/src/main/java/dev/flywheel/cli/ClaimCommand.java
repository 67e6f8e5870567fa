package dev.flywheel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.chain.ChainConfig;
import dev.flywheel.chain.ClaimResult;
import dev.flywheel.chain.ContractRevertedException;
import dev.flywheel.chain.RewardsClaimer;
import dev.flywheel.core.crypto.Encoding;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code flywheel claim}: asks the claims API what the account can claim under the active root and,
 * if anything, sends the claim with the served proof. The payer (whose key signs and pays gas) may
 * differ from the account; the tokens always go to the account. Prints one JSON object.
 */
@Command(name = "claim", description = "Claim an owner's rewards with the proof the claims API serves for the active root.")
final class ClaimCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--claims-api", required = true, description = "claims API base URL (GET <url>/claims/<address>)")
    String claimsApi;

    @Option(names = "--rpc", required = true, description = "chain JSON-RPC URL")
    String rpc;

    @Option(names = "--chain-id", required = true, description = "EVM chain id")
    long chainId;

    @Option(names = "--distributor", required = true, description = "RewardsDistributor address")
    String distributor;

    @Option(names = "--payer-key", required = true, description = "file with the payer's secp256k1 private key (0x + 64 hex)")
    Path payerKey;

    @Option(names = "--account", description = "the owner to claim for (default: the payer's address)")
    String account;

    @Override
    public Integer call() throws Exception {
        Credentials payer = KeyFiles.readOwnerKey(payerKey);
        String owner = (account == null ? payer.getAddress() : account).toLowerCase(Locale.ROOT);
        HttpResponse<String> response;
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()) {
            response = http.send(HttpRequest.newBuilder(URI.create(claimsApi.replaceAll("/+$", "") + "/claims/" + owner))
                    .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
        }
        JsonNode claim = JSON.readTree(response.body());
        if (response.statusCode() != 200) {
            spec.commandLine().getOut().println(claim);
            return FlywheelCli.REFUSED;
        }
        ObjectNode out = JSON.createObjectNode();
        out.put("account", owner);
        out.put("epoch", claim.path("epoch").asLong());
        BigInteger claimable = new BigInteger(claim.path("claimable").asText("0"));
        if (claimable.signum() == 0) {
            out.put("claimed", "0");
            out.put("detail", "nothing claimable: everything earned under the active root is claimed");
            spec.commandLine().getOut().println(out);
            return 0;
        }
        BigInteger cumulative = new BigInteger(claim.path("cumulativeAmount").asText());
        List<byte[]> proof = new ArrayList<>();
        claim.path("proof").forEach(p -> proof.add(Encoding.fromHex(p.asText())));
        Web3j web3j = Web3j.build(new HttpService(rpc));
        try {
            ClaimResult result = new RewardsClaimer(web3j, ChainConfig.of(rpc, chainId).withContracts(distributor, distributor))
                    .claim(payer, owner, cumulative, proof);
            out.put("claimed", result.amountPaid().toString());
            out.put("txHash", result.txHash());
            spec.commandLine().getOut().println(out);
            return 0;
        } catch (ContractRevertedException e) {
            out.put("error", e.errorName() == null ? "reverted" : e.errorName());
            out.put("detail", e.getMessage());
            spec.commandLine().getOut().println(out);
            return FlywheelCli.REFUSED;
        } finally {
            web3j.shutdown();
        }
    }
}
