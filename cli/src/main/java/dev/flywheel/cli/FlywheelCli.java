package dev.flywheel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.core.crypto.DeviceSigningKey;
import dev.flywheel.core.crypto.Encoding;
import dev.flywheel.core.crypto.SignatureScheme;
import dev.flywheel.core.onboarding.LocationAssertion;
import dev.flywheel.core.onboarding.OwnerBinding;
import dev.flywheel.device.pki.LocalCertificateAuthority;
import org.web3j.crypto.Credentials;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code flywheel}: the command-line tool for device makers, owners and operators.
 *
 * <pre>
 *   flywheel keygen          --device-id ID [--scheme ed25519] [--compressed] [--out DIR]  signing key + TLS key + CSR
 *   flywheel sign-binding    --binding FILE --device-key FILE | --owner-key FILE | --current-owner-key FILE
 *                            [--device-id ID --owner 0x.. --nonce N --chain-id C]
 *   flywheel register        --device-key FILE --csr FILE --binding FILE --maker NAME [--cert-out FILE]
 *   flywheel transfer        --device-id ID --binding FILE
 *   flywheel assert-location --device-id ID --h3 CELL [--gain DECI_DBI] [--elevation M] --owner-key FILE --chain-id C
 *   flywheel revoke|suspend|reactivate --device-id ID --reason TEXT
 *   flywheel show            --device-id ID
 *   flywheel denylist add|remove|show --device-id ID [--reason TEXT]        operators: proofs rejected `denylisted`
 *   flywheel sign-proof      --device-key FILE --seq N --metric M --value V --unit U [--h3 CELL] [--out FILE]
 *                            a signed sensor.reading envelope, as firmware makes it (publish it with mosquitto_pub)
 *   flywheel epoch show N | recompute N [--config FILE] [--stack NAME]      an epoch's manifest; recompute and diff it
 *   flywheel status device ID | owner 0x.. | epoch N [--api URL]             what the explorer shows (claims API /network/*)
 * </pre>
 * The API URL is {@code --api} or {@code $FLYWHEEL_REGISTRY_URL}. Requests are signed with SigV4
 * ({@code execute-api}, the AWS default credentials chain) with {@code --sign}, {@code FLYWHEEL_REGISTRY_SIGV4=1}
 * or when the URL is an API Gateway host; the devnet's URL is not signed. Every command prints one JSON object.
 * Exit status: 0 done, 2 refused by the registry (the JSON carries {@code error}, a reason code), 1 other failures.
 */
@Command(name = "flywheel", mixinStandardHelpOptions = true, version = "flywheel 0.1.0",
        description = "Onboard and manage Flywheel devices.",
        subcommands = {FlywheelCli.Keygen.class, FlywheelCli.SignBinding.class, FlywheelCli.Register.class,
                FlywheelCli.Transfer.class, FlywheelCli.AssertLocation.class, FlywheelCli.Revoke.class,
                FlywheelCli.Suspend.class, FlywheelCli.Reactivate.class, FlywheelCli.Show.class, FlywheelCli.Denylist.class,
                FlywheelCli.SignProof.class, EpochCommands.class,
                ClaimCommand.class, StatusCommands.class})
public final class FlywheelCli {
    static final int REFUSED = 2;

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true, StandardCharsets.UTF_8),
                new PrintWriter(System.err, true, StandardCharsets.UTF_8)));
    }

    /** Runs one command in-process (tests); returns the exit status. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new FlywheelCli());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, commandLine, parsed) -> {
            commandLine.getErr().println("flywheel: " + e.getMessage());
            commandLine.getErr().flush();
            return 1;
        });
        int code = cli.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /** Options for commands that talk to the registry API. */
    abstract static class ApiCommand implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--api", description = "device-registry API base URL (default: $FLYWHEEL_REGISTRY_URL)")
        String api;

        @Option(names = "--sign", description = "sign requests with SigV4 (execute-api; default: on for $FLYWHEEL_REGISTRY_SIGV4=1 "
                + "or an execute-api URL)")
        boolean sign;

        RegistryClient client() {
            String url = api != null ? api : System.getenv("FLYWHEEL_REGISTRY_URL");
            if (url == null || url.isBlank()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--api or $FLYWHEEL_REGISTRY_URL is required");
            }
            return RegistryClient.create(url, sign, System.getenv());
        }

        int print(RegistryClient.Response r) {
            spec.commandLine().getOut().println(r.body());
            return r.ok() ? 0 : REFUSED;
        }
    }

    @Command(name = "keygen", description = "Make a device's signing key, TLS key and CSR (CN = device id).")
    static final class Keygen implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;
        @Option(names = "--device-id", required = true)
        String deviceId;
        @Option(names = "--scheme", defaultValue = "ed25519", description = "ed25519 | p256-sha256 | secp256k1-keccak256")
        String scheme;
        @Option(names = "--out", defaultValue = ".", description = "directory for <id>.signing.json, <id>.tls.key.pem, <id>.csr.pem")
        Path out;
        @Option(names = "--compressed", description = "ECDSA schemes: register the 33-byte compressed public key (02/03||X)")
        boolean compressed;

        @Override
        public Integer call() throws IOException {
            SignatureScheme s = SignatureScheme.fromWireId(scheme)
                    .orElseThrow(() -> new CommandLine.ParameterException(spec.commandLine(), "unknown scheme " + scheme));
            SecureRandom random = new SecureRandom();
            DeviceSigningKey signing = DeviceSigningKey.generate(s, random);
            if (compressed) {
                if (s == SignatureScheme.ED25519) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--compressed applies to p256-sha256 and secp256k1-keccak256");
                }
                signing = signing.withCompressedPublicKey();
            }
            KeyPair tls = LocalCertificateAuthority.generateTlsKeyPair(random);
            Files.createDirectories(out);
            Path signingFile = out.resolve(deviceId + ".signing.json");
            Path tlsKey = out.resolve(deviceId + ".tls.key.pem");
            Path csr = out.resolve(deviceId + ".csr.pem");
            KeyFiles.writeDeviceKey(signingFile, deviceId, signing);
            KeyFiles.writePrivate(tlsKey, LocalCertificateAuthority.privateKeyPem(tls.getPrivate()));
            Files.writeString(csr, LocalCertificateAuthority.createCsr(deviceId, tls), StandardCharsets.US_ASCII);
            ObjectNode o = KeyFiles.JSON.createObjectNode();
            o.put("deviceId", deviceId);
            o.put("scheme", s.wireId());
            o.put("publicKey", Encoding.base64Url(signing.publicKey()));
            o.put("signingKey", signingFile.toString());
            o.put("tlsKey", tlsKey.toString());
            o.put("csr", csr.toString());
            spec.commandLine().getOut().println(o);
            return 0;
        }
    }

    @Command(name = "sign-binding", description = {
            "Sign an owner binding (device id, owner, nonce, chain id), adding the signature to the binding file.",
            "The device signs with its signing key (--device-key), the new owner's wallet with --owner-key,",
            "and on a transfer the current owner's wallet with --current-owner-key."})
    static final class SignBinding implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;
        @Option(names = "--binding", required = true, description = "binding JSON file (created if missing)")
        Path file;
        @Option(names = "--device-id")
        String deviceId;
        @Option(names = "--owner", description = "new owner address (default: the --owner-key's address)")
        String owner;
        @Option(names = "--nonce", description = "the device's next owner nonce (1 at registration; `show` prints nextOwnerNonce)")
        Long nonce;
        @Option(names = "--chain-id")
        Long chainId;
        @Option(names = "--device-key")
        Path deviceKey;
        @Option(names = "--owner-key")
        Path ownerKey;
        @Option(names = "--current-owner-key")
        Path currentOwnerKey;

        @Override
        public Integer call() throws IOException {
            ObjectNode b = Files.exists(file) ? (ObjectNode) KeyFiles.JSON.readTree(file.toFile()) : KeyFiles.JSON.createObjectNode();
            Credentials ownerCredentials = ownerKey == null ? null : KeyFiles.readOwnerKey(ownerKey);
            KeyFiles.DeviceKeyFile device = deviceKey == null ? null : KeyFiles.readDeviceKey(deviceKey);
            String id = merge(b, "deviceId", deviceId != null ? deviceId : device == null ? null : device.deviceId());
            String newOwner = merge(b, "owner", owner != null ? owner.toLowerCase(Locale.ROOT)
                    : ownerCredentials == null ? null : ownerCredentials.getAddress().toLowerCase(Locale.ROOT));
            long n = Long.parseLong(merge(b, "nonce", nonce == null ? null : nonce.toString()));
            long chain = Long.parseLong(merge(b, "chainId", chainId == null ? null : chainId.toString()));
            OwnerBinding binding = new OwnerBinding(id, newOwner, n, chain);
            if (device == null && ownerCredentials == null && currentOwnerKey == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "give --device-key, --owner-key or --current-owner-key");
            }
            if (device != null) {
                b.put("deviceSignature", Encoding.base64Url(device.key().sign(binding.deviceMessage())));
            }
            if (ownerCredentials != null) {
                if (!ownerCredentials.getAddress().equalsIgnoreCase(newOwner)) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--owner-key is the key of "
                            + ownerCredentials.getAddress() + ", not of the binding's owner " + newOwner);
                }
                b.put("ownerSignature", WalletSigner.sign(ownerCredentials, binding.eip712Digest()));
            }
            if (currentOwnerKey != null) {
                b.put("currentOwnerSignature", WalletSigner.sign(KeyFiles.readOwnerKey(currentOwnerKey), binding.eip712Digest()));
            }
            Files.writeString(file, KeyFiles.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(b) + "\n");
            spec.commandLine().getOut().println(b);
            return 0;
        }

        /** The binding's field: the option's value, else the file's; both given must agree. */
        private String merge(ObjectNode b, String name, String given) {
            JsonNode existing = b.get(name);
            String have = existing == null || existing.isNull() ? null : existing.asText();
            if (given != null && have != null && !given.equals(have)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "the binding file says " + name + "=" + have
                        + ", the command line " + given + ": start a new binding file to sign something else");
            }
            String value = given != null ? given : have;
            if (value == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--" + name.replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT)
                        + " is required (not in the binding file yet)");
            }
            if (name.equals("nonce") || name.equals("chainId")) {
                b.put(name, Long.parseLong(value));
            } else {
                b.put(name, value);
            }
            return value;
        }
    }

    /** The API's binding object and signatures from a binding file. */
    static ObjectNode bindingRequest(Path file) throws IOException {
        ObjectNode b = (ObjectNode) KeyFiles.JSON.readTree(file.toFile());
        ObjectNode request = KeyFiles.JSON.createObjectNode();
        ObjectNode binding = request.putObject("binding");
        binding.put("owner", b.path("owner").asText());
        binding.put("nonce", b.path("nonce").asLong());
        binding.put("chainId", b.path("chainId").asLong());
        for (String sig : new String[]{"deviceSignature", "ownerSignature", "currentOwnerSignature"}) {
            if (b.hasNonNull(sig)) {
                request.put(sig, b.get(sig).asText());
            }
        }
        return request;
    }

    @Command(name = "register", description = "Register a device: thing, certificate from the CSR, owner binding.")
    static final class Register extends ApiCommand {
        @Option(names = "--device-key", required = true, description = "the device's signing key file (for its public key)")
        Path deviceKey;
        @Option(names = "--csr", required = true)
        Path csr;
        @Option(names = "--binding", required = true, description = "binding file signed by the device and the owner")
        Path bindingFile;
        @Option(names = "--maker", required = true)
        String maker;
        @Option(names = "--device-id", description = "default: the binding's deviceId")
        String deviceId;
        @Option(names = "--cert-out", description = "where to write the issued certificate PEM")
        Path certOut;
        @Option(names = "--capability", description = "what the device serves beyond proofs, e.g. uptime (repeatable)")
        java.util.List<String> capabilities = new java.util.ArrayList<>();

        @Override
        public Integer call() throws Exception {
            KeyFiles.DeviceKeyFile key = KeyFiles.readDeviceKey(deviceKey);
            ObjectNode request = bindingRequest(bindingFile);
            String id = deviceId != null ? deviceId : KeyFiles.JSON.readTree(bindingFile.toFile()).path("deviceId").asText();
            request.put("thingName", id);
            request.put("maker", maker);
            request.put("scheme", key.key().scheme().wireId());
            request.put("publicKey", Encoding.base64Url(key.key().publicKey()));
            request.put("csr", Files.readString(csr, StandardCharsets.US_ASCII));
            if (!capabilities.isEmpty()) {
                capabilities.forEach(request.putArray("capabilities")::add);
            }
            RegistryClient.Response r = client().post("/devices", request.toString());
            if (r.ok() && certOut != null) {
                JsonNode body = KeyFiles.JSON.readTree(r.body());
                if (certOut.toAbsolutePath().getParent() != null) {
                    Files.createDirectories(certOut.toAbsolutePath().getParent());
                }
                Files.writeString(certOut, body.path("certificatePem").asText(), StandardCharsets.US_ASCII);
            }
            return print(r);
        }
    }

    @Command(name = "transfer", description = "Move a device to a new owner (binding signed by the device, the new and the current owner).")
    static final class Transfer extends ApiCommand {
        @Option(names = "--device-id", required = true)
        String deviceId;
        @Option(names = "--binding", required = true)
        Path bindingFile;

        @Override
        public Integer call() throws Exception {
            return print(client().post("/devices/" + deviceId + "/owner", bindingRequest(bindingFile).toString()));
        }
    }

    @Command(name = "assert-location", description = "Assert (or re-assert) a device's location, signed by its owner.")
    static final class AssertLocation extends ApiCommand {
        @Option(names = "--device-id", required = true)
        String deviceId;
        @Option(names = "--h3", required = true, description = "H3 cell, 15 lowercase hex digits")
        String h3;
        @Option(names = "--gain", defaultValue = "0", description = "antenna gain in tenths of a dBi")
        int gain;
        @Option(names = "--elevation", defaultValue = "0", description = "elevation in metres")
        int elevation;
        @Option(names = "--owner-key", required = true)
        Path ownerKey;
        @Option(names = "--chain-id", required = true)
        long chainId;
        @Option(names = "--nonce", description = "default: the registry's nextLocationNonce")
        Long nonce;

        @Override
        public Integer call() throws Exception {
            RegistryClient client = client();
            long n;
            if (nonce != null) {
                n = nonce;
            } else {
                RegistryClient.Response current = client.get("/devices/" + deviceId);
                if (!current.ok()) {
                    return print(current);
                }
                n = KeyFiles.JSON.readTree(current.body()).path("nextLocationNonce").asLong();
            }
            LocationAssertion a = new LocationAssertion(deviceId, h3, gain, elevation, n, chainId);
            ObjectNode request = KeyFiles.JSON.createObjectNode();
            request.put("h3Cell", h3);
            request.put("antennaGainDeciDbi", gain);
            request.put("elevationMeters", elevation);
            request.put("nonce", n);
            request.put("chainId", chainId);
            request.put("ownerSignature", WalletSigner.sign(KeyFiles.readOwnerKey(ownerKey), a.eip712Digest()));
            return print(client.post("/devices/" + deviceId + "/location", request.toString()));
        }
    }

    abstract static class StatusCommand extends ApiCommand {
        @Option(names = "--device-id", required = true)
        String deviceId;
        @Option(names = "--reason", required = true)
        String reason;

        abstract String status();

        @Override
        public Integer call() throws Exception {
            ObjectNode request = KeyFiles.JSON.createObjectNode();
            request.put("status", status());
            request.put("reason", reason);
            return print(client().post("/devices/" + deviceId + "/status", request.toString()));
        }
    }

    @Command(name = "revoke", description = "Operator: revoke a device for good (its certificate is deactivated, its proofs rejected).")
    static final class Revoke extends StatusCommand {
        @Override
        String status() {
            return "revoked";
        }
    }

    @Command(name = "suspend", description = "Operator: suspend a device (its proofs are rejected until reactivated).")
    static final class Suspend extends StatusCommand {
        @Override
        String status() {
            return "suspended";
        }
    }

    @Command(name = "reactivate", description = "Operator: reactivate a suspended device.")
    static final class Reactivate extends StatusCommand {
        @Override
        String status() {
            return "active";
        }
    }

    @Command(name = "show", description = "Show a device: record, next nonces, owner/location/status history.")
    static final class Show extends ApiCommand {
        @Option(names = "--device-id", required = true)
        String deviceId;

        @Override
        public Integer call() throws Exception {
            return print(client().get("/devices/" + deviceId));
        }
    }

    @Command(name = "denylist", description = "Operator: the denylist (a listed device's proofs are rejected `denylisted`).",
            subcommands = {DenylistAdd.class, DenylistRemove.class, DenylistShow.class})
    static final class Denylist implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            throw new CommandLine.ParameterException(spec.commandLine(), "give add, remove or show");
        }
    }

    @Command(name = "add", description = "Put a device on the denylist (or change its reason).")
    static final class DenylistAdd extends ApiCommand {
        @Option(names = "--device-id", required = true)
        String deviceId;
        @Option(names = "--reason", required = true)
        String reason;

        @Override
        public Integer call() throws Exception {
            ObjectNode request = KeyFiles.JSON.createObjectNode();
            request.put("reason", reason);
            return print(client().put("/denylist/" + deviceId, request.toString()));
        }
    }

    @Command(name = "remove", description = "Take a device off the denylist.")
    static final class DenylistRemove extends ApiCommand {
        @Option(names = "--device-id", required = true)
        String deviceId;

        @Override
        public Integer call() throws Exception {
            return print(client().delete("/denylist/" + deviceId));
        }
    }

    @Command(name = "show", description = "Show a device's denylist entry (refused `not_denylisted` if it has none).")
    static final class DenylistShow extends ApiCommand {
        @Option(names = "--device-id", required = true)
        String deviceId;

        @Override
        public Integer call() throws Exception {
            return print(client().get("/denylist/" + deviceId));
        }
    }

    @Command(name = "sign-proof", description = {
            "Make a signed sensor.reading proof (docs/protocol.md), as device firmware would, timed now.",
            "With --out the wire bytes go to the file (publish them with mosquitto_pub -f FILE) and the command",
            "prints {proofId, seq, out}; without it, it prints the wire message itself."})
    static final class SignProof implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;
        @Option(names = "--device-key", required = true)
        Path deviceKey;
        @Option(names = "--seq", required = true, description = "sequence number, never reused (docs/protocol.md section 5)")
        long seq;
        @Option(names = "--metric", required = true)
        String metric;
        @Option(names = "--value", required = true)
        double value;
        @Option(names = "--unit", required = true)
        String unit;
        @Option(names = "--h3", description = "loc.h3: the asserted H3 cell (optional)")
        String h3;
        @Option(names = "--out")
        Path out;

        @Override
        public Integer call() throws Exception {
            KeyFiles.DeviceKeyFile key = KeyFiles.readDeviceKey(deviceKey);
            if (key.deviceId() == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), deviceKey + " has no deviceId");
            }
            byte[] wire = dev.flywheel.core.proof.ProofCodec.encode(key.deviceId(), seq, java.time.Instant.now(), h3,
                    new dev.flywheel.core.types.sensor.SensorReading(metric, value, unit), key.key());
            // Decode our own output: a bad metric, unit or cell fails here, not silently at the verifier.
            dev.flywheel.core.proof.ProofEnvelope envelope;
            try {
                envelope = dev.flywheel.core.proof.ProofCodec.decode(wire);
            } catch (dev.flywheel.core.proof.MalformedProofException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "not a valid proof: " + e.reason().wire() + ": " + e.getMessage());
            }
            if (out == null) {
                spec.commandLine().getOut().println(new String(wire, StandardCharsets.UTF_8));
                return 0;
            }
            if (out.toAbsolutePath().getParent() != null) {
                Files.createDirectories(out.toAbsolutePath().getParent());
            }
            Files.write(out, wire);
            ObjectNode o = KeyFiles.JSON.createObjectNode();
            o.put("deviceId", key.deviceId());
            o.put("proofId", envelope.proofId());
            o.put("seq", seq);
            o.put("out", out.toString());
            spec.commandLine().getOut().println(o);
            return 0;
        }
    }
}
