package dev.flywheel.cli;

import dev.flywheel.core.crypto.DeviceSigningKey;
import dev.flywheel.core.proof.ProofCodec;
import dev.flywheel.core.types.sensor.SensorReading;
import dev.flywheel.device.mqtt.DeviceClient;
import dev.flywheel.device.mqtt.MqttEndpoint;
import dev.flywheel.device.mqtt.Topics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static dev.flywheel.cli.CliFixture.CHAIN;
import static dev.flywheel.cli.CliFixture.Run;
import static dev.flywheel.cli.CliFixture.cli;
import static dev.flywheel.cli.CliFixture.env;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole onboarding on the devnet, driven by the command-line tool: keygen, both signatures of the
 * owner binding, register against the device-registry function served over HTTP (moto IoT + DynamoDB,
 * certificate from the devnet CA), then the issued certificate connects to the real Mosquitto with
 * the SDK client and publishes a proof, which the verifier accepts; after {@code flywheel revoke} the
 * certificate is INACTIVE in moto and the next proof is rejected {@code device_revoked}.
 *
 * <p>Locally Mosquitto cannot see IoT certificate status, so the revoked device can still connect and
 * publish here; the registry's REVOKED status is what rejects its proofs (on AWS, IoT Core also refuses
 * the INACTIVE certificate's connection).
 */
class OnboardingEndToEndIT {
    private static CliFixture net;
    private static DeviceClient rulesEngine;
    private static final BlockingQueue<DeviceClient.InboundMessage> published = new LinkedBlockingQueue<>();

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        net = CliFixture.start();
        // The IoT rule's view of the broker: every device's proofs topic (as the rules-engine identity).
        rulesEngine = DeviceClient.builder("flywheel-rules-engine", Path.of(env("FLYWHEEL_RULES_ENGINE_CERT")),
                        Path.of(env("FLYWHEEL_RULES_ENGINE_KEY")), MqttEndpoint.fromEnv())
                .clientId("flywheel-rules-engine-onboarding-it-" + UUID.randomUUID().toString().substring(0, 6))
                .build();
        rulesEngine.connect();
        rulesEngine.subscribe(Topics.ALL_PROOFS, published::add).get(10, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() {
        if (rulesEngine != null) {
            rulesEngine.close();
        }
        if (net != null) {
            net.close();
        }
    }

    /** Publishes one proof over MQTT/mTLS and hands what the broker delivered to the verifier as the IoT rule + SQS would. */
    private String publishAndVerify(String deviceId, Path cert, Path tlsKey, DeviceSigningKey key, long seq) throws Exception {
        byte[] proof = ProofCodec.encode(deviceId, seq, Instant.now(), null, new SensorReading("temperature", 21.5, "celsius"), key);
        try (DeviceClient device = DeviceClient.builder(deviceId, cert, tlsKey, MqttEndpoint.fromEnv()).build()) {
            device.connect();
            device.publishProof(proof).get(10, TimeUnit.SECONDS);
        }
        DeviceClient.InboundMessage m;
        do {
            m = published.poll(10, TimeUnit.SECONDS);
            assertNotNull(m, "the broker did not deliver the proof of " + deviceId);
        } while (!m.topic().equals(Topics.proofs(deviceId)));
        return net.deliver(Topics.deviceIdOf(m.topic()), m.payload());
    }

    @Test
    void onboardWithTheCliPublishThenRevoke() throws Exception {
        String id = "cli-" + UUID.randomUUID().toString().substring(0, 8);
        Path owner = CliFixture.ownerKey(dir);
        String ownerAddress = KeyFiles.readOwnerKey(owner).getAddress().toLowerCase();

        Run keygen = cli("keygen", "--device-id", id, "--scheme", "p256-sha256", "--out", dir.toString());
        assertEquals(0, keygen.exit(), keygen.err());
        Path signing = Path.of(keygen.json().path("signingKey").asText());
        Path tlsKey = Path.of(keygen.json().path("tlsKey").asText());
        Path csr = Path.of(keygen.json().path("csr").asText());
        Path binding = dir.resolve("binding.json");

        // Device side and owner side sign the same binding (nonce 1 = first owner).
        Run deviceSigned = cli("sign-binding", "--binding", binding.toString(), "--device-key", signing.toString(),
                "--owner", ownerAddress, "--nonce", "1", "--chain-id", Long.toString(CHAIN));
        assertEquals(0, deviceSigned.exit(), deviceSigned.err());
        Run ownerSigned = cli("sign-binding", "--binding", binding.toString(), "--owner-key", owner.toString());
        assertEquals(0, ownerSigned.exit(), ownerSigned.err());

        Path cert = dir.resolve(id + ".cert.pem");
        Run register = cli("register", "--api", net.api, "--device-key", signing.toString(), "--csr", csr.toString(),
                "--binding", binding.toString(), "--maker", "acme-labs", "--cert-out", cert.toString());
        assertEquals(0, register.exit(), register.json() + register.err());
        assertEquals(ownerAddress, register.json().path("owner").asText());
        String certId = register.json().path("certificateId").asText();
        assertEquals("ACTIVE", net.iot.describeCertificate(b -> b.certificateId(certId)).certificateDescription().statusAsString());

        // The same binding submitted again is refused (exit 2, reason code on stdout).
        Run again = cli("register", "--api", net.api, "--device-key", signing.toString(), "--csr", csr.toString(),
                "--binding", binding.toString(), "--maker", "acme-labs");
        assertEquals(FlywheelCli.REFUSED, again.exit());
        assertEquals("already_registered", again.json().path("error").asText());
        Run replayedAsTransfer = cli("transfer", "--api", net.api, "--device-id", id, "--binding", binding.toString());
        assertEquals(FlywheelCli.REFUSED, replayedAsTransfer.exit());
        assertEquals("stale_nonce", replayedAsTransfer.json().path("error").asText());

        // Location, asserted by the owner.
        Run located = cli("assert-location", "--api", net.api, "--device-id", id, "--h3", "8b2a100d2d1bfff", "--gain", "55",
                "--elevation", "12", "--owner-key", owner.toString(), "--chain-id", Long.toString(CHAIN));
        assertEquals(0, located.exit(), located.json().toString());
        assertEquals("8b2a100d2d1bfff", located.json().path("location").path("h3Cell").asText());

        // The issued certificate connects to Mosquitto and the proof is accepted.
        DeviceSigningKey key = KeyFiles.readDeviceKey(signing).key();
        assertEquals("accepted", publishAndVerify(id, cert, tlsKey, key, 1));

        // Revoke: certificate INACTIVE in IoT, the next proof rejected device_revoked.
        Run revoke = cli("revoke", "--api", net.api, "--device-id", id, "--reason", "stolen from site 12");
        assertEquals(0, revoke.exit(), revoke.json().toString());
        assertEquals("revoked", revoke.json().path("status").asText());
        assertEquals("INACTIVE", net.iot.describeCertificate(b -> b.certificateId(certId)).certificateDescription().statusAsString());
        assertEquals("device_revoked", publishAndVerify(id, cert, tlsKey, key, 2));

        Run show = cli("show", "--api", net.api, "--device-id", id);
        assertEquals(0, show.exit());
        assertEquals("stolen from site 12", show.json().path("statusReason").asText());
        assertEquals(1, show.json().path("ownerHistory").size());
        assertEquals(1, show.json().path("locationHistory").size());
        assertEquals("REVOKED", show.json().path("statusHistory").get(0).path("fields").path("to").asText());
    }

    @Test
    void devicesWithCompressedEcdsaKeysRegisterAndTheirProofsAreAccepted() throws Exception {
        Path owner = CliFixture.ownerKey(dir);
        String ownerAddress = KeyFiles.readOwnerKey(owner).getAddress().toLowerCase();
        for (String scheme : new String[]{"p256-sha256", "secp256k1-keccak256"}) {
            String id = "cmp-" + UUID.randomUUID().toString().substring(0, 8);
            Run keygen = cli("keygen", "--device-id", id, "--scheme", scheme, "--compressed", "--out", dir.toString());
            assertEquals(0, keygen.exit(), keygen.err());
            assertEquals(33, dev.flywheel.core.crypto.Encoding.fromBase64Url(keygen.json().path("publicKey").asText()).length);
            Path signing = Path.of(keygen.json().path("signingKey").asText());
            Path binding = dir.resolve(id + ".binding.json");
            assertEquals(0, cli("sign-binding", "--binding", binding.toString(), "--device-key", signing.toString(),
                    "--owner", ownerAddress, "--nonce", "1", "--chain-id", Long.toString(CHAIN)).exit());
            assertEquals(0, cli("sign-binding", "--binding", binding.toString(), "--owner-key", owner.toString()).exit());
            Path cert = dir.resolve(id + ".cert.pem");
            Run register = cli("register", "--api", net.api, "--device-key", signing.toString(),
                    "--csr", keygen.json().path("csr").asText(), "--binding", binding.toString(), "--maker", "acme-labs",
                    "--cert-out", cert.toString());
            assertEquals(0, register.exit(), scheme + ": " + register.json());
            assertEquals(keygen.json().path("publicKey").asText(), register.json().path("publicKey").asText(),
                    "the registry keeps the 33-byte key as sent");
            DeviceSigningKey key = KeyFiles.readDeviceKey(signing).key();
            assertEquals(33, key.publicKey().length);
            assertEquals("accepted", publishAndVerify(id, cert, Path.of(keygen.json().path("tlsKey").asText()), key, 1), scheme);
        }
    }

    @Test
    void aBindingWithOneSignatureMissingIsRefusedByTheRegistry() throws Exception {
        String id = "cli-" + UUID.randomUUID().toString().substring(0, 8);
        Path owner = CliFixture.ownerKey(dir);
        String ownerAddress = KeyFiles.readOwnerKey(owner).getAddress().toLowerCase();
        Run keygen = cli("keygen", "--device-id", id, "--out", dir.toString());
        Path signing = Path.of(keygen.json().path("signingKey").asText());
        Path csr = Path.of(keygen.json().path("csr").asText());

        Path deviceOnly = dir.resolve("device-only.json");
        assertEquals(0, cli("sign-binding", "--binding", deviceOnly.toString(), "--device-key", signing.toString(),
                "--owner", ownerAddress, "--nonce", "1", "--chain-id", Long.toString(CHAIN)).exit());
        Run r = cli("register", "--api", net.api, "--device-key", signing.toString(), "--csr", csr.toString(),
                "--binding", deviceOnly.toString(), "--maker", "acme-labs");
        assertEquals(FlywheelCli.REFUSED, r.exit());
        assertEquals("missing_owner_signature", r.json().path("error").asText());

        Path ownerOnly = dir.resolve("owner-only.json");
        assertEquals(0, cli("sign-binding", "--binding", ownerOnly.toString(), "--owner-key", owner.toString(),
                "--device-id", id, "--nonce", "1", "--chain-id", Long.toString(CHAIN)).exit());
        r = cli("register", "--api", net.api, "--device-key", signing.toString(), "--csr", csr.toString(),
                "--binding", ownerOnly.toString(), "--maker", "acme-labs");
        assertEquals(FlywheelCli.REFUSED, r.exit());
        assertEquals("missing_device_signature", r.json().path("error").asText());

        assertEquals("unknown_device", cli("show", "--api", net.api, "--device-id", id).json().path("error").asText());
        assertTrue(net.iot.listThings(b -> b.maxResults(250)).things().stream().noneMatch(t -> t.thingName().equals(id)));
        String csrText = Files.readString(csr, StandardCharsets.US_ASCII);
        assertTrue(csrText.contains("CERTIFICATE REQUEST"));
    }
}
