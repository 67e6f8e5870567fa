package dev.flywheel.devnet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flywheel.chain.ChainConfig;
import dev.flywheel.chain.ClaimResult;
import dev.flywheel.chain.DeployedContracts;
import dev.flywheel.chain.RewardsClaimer;
import dev.flywheel.core.crypto.Encoding;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;

import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@code scripts/devnet claim OWNER_KEY_FILE}: the owner's wallet fetches its claim (cumulative amount and
 * Merkle proof) from the devnet claims API and claims on the devnet chain; prints one JSON object. What a
 * wallet or dapp does on a real network. Reads the host's settings from the environment
 * ({@code FLYWHEEL_CLAIMS_URL}, {@code FLYWHEEL_TOKEN_ADDRESS}, {@code FLYWHEEL_DISTRIBUTOR_ADDRESS},
 * {@code FLYWHEEL_CHAIN_RPC}, {@code FLYWHEEL_CHAIN_ID}).
 */
public final class DevnetClaim {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: scripts/devnet claim OWNER_KEY_FILE   (0x + 64 hex digits)");
            System.exit(2);
        }
        Map<String, String> env = System.getenv();
        java.util.function.Function<String, String> req = name -> Objects.requireNonNull(env.get(name),
                name + " is not set: start the host with scripts/devnet host start");
        Credentials owner = Credentials.create(Files.readString(Path.of(args[0])).strip());
        String address = owner.getAddress().toLowerCase();
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(req.apply("FLYWHEEL_CLAIMS_URL") + "/" + address)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            System.out.println(response.body());
            System.exit(2);
        }
        JsonNode claim = JSON.readTree(response.body());
        BigInteger cumulative = new BigInteger(claim.path("cumulativeAmount").asText());
        List<byte[]> proof = new ArrayList<>();
        claim.path("proof").forEach(p -> proof.add(Encoding.fromHex(p.asText())));
        Web3j web3j = Web3j.build(new HttpService(req.apply("FLYWHEEL_CHAIN_RPC")));
        try {
            ChainConfig chain = ChainConfig.of(req.apply("FLYWHEEL_CHAIN_RPC"), Long.parseLong(req.apply("FLYWHEEL_CHAIN_ID")))
                    .withContracts(new DeployedContracts(req.apply("FLYWHEEL_TOKEN_ADDRESS"), req.apply("FLYWHEEL_DISTRIBUTOR_ADDRESS"),
                            env.getOrDefault("FLYWHEEL_TIMELOCK_ADDRESS", "")));
            RewardsClaimer claimer = new RewardsClaimer(web3j, chain);
            ClaimResult result = claimer.claim(owner, address, cumulative, proof);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("owner", address);
            out.put("cumulativeAmount", cumulative.toString());
            out.put("amountPaid", result.amountPaid().toString());
            out.put("txHash", result.txHash());
            out.put("tokenBalance", claimer.tokenBalance(address).toString());
            System.out.println(JSON.writeValueAsString(out));
        } finally {
            web3j.shutdown();
        }
    }
}
