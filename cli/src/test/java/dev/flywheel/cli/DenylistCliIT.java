package dev.flywheel.cli;

import dev.flywheel.core.crypto.DeviceSigningKey;
import dev.flywheel.core.proof.ProofCodec;
import dev.flywheel.core.types.sensor.SensorReading;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.UUID;

import static dev.flywheel.cli.CliFixture.CHAIN;
import static dev.flywheel.cli.CliFixture.Run;
import static dev.flywheel.cli.CliFixture.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The operator's denylist end to end on the devnet (moto): a device onboarded with the CLI has its proofs
 * accepted; {@code flywheel denylist add} puts it on the list through the device-registry function
 * ({@code PUT /denylist/{id}}), after which the verifier rejects its next proof {@code denylisted};
 * {@code flywheel denylist remove} restores acceptance. The verifier's denylist cache is off
 * ({@code flywheel.denylist-cache-seconds = 0}) so each proof sees the current list. The proofs go to the
 * verifier as the IoT rule + SQS would hand them over (the MQTT leg is covered by OnboardingEndToEndIT).
 */
class DenylistCliIT {
    private static CliFixture net;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        net = CliFixture.start();
    }

    @AfterAll
    static void stop() {
        if (net != null) {
            net.close();
        }
    }

    /** One proof straight to the verifier (the MQTT leg is OnboardingEndToEndIT's); "accepted" or the reason. */
    private static String verify(String deviceId, DeviceSigningKey key, long seq) throws Exception {
        return net.deliver(deviceId, ProofCodec.encode(deviceId, seq, Instant.now(), null,
                new SensorReading("temperature", 21.5, "celsius"), key));
    }

    @Test
    void aDenylistedDeviceIsRejectedUntilRemoved() throws Exception {
        String id = "deny-" + UUID.randomUUID().toString().substring(0, 8);
        Path owner = CliFixture.ownerKey(dir);
        String ownerAddress = KeyFiles.readOwnerKey(owner).getAddress().toLowerCase();
        Run keygen = cli("keygen", "--device-id", id, "--out", dir.toString());
        assertEquals(0, keygen.exit(), keygen.err());
        Path signing = Path.of(keygen.json().path("signingKey").asText());
        Path csr = Path.of(keygen.json().path("csr").asText());
        Path binding = dir.resolve("binding.json");
        assertEquals(0, cli("sign-binding", "--binding", binding.toString(), "--device-key", signing.toString(),
                "--owner", ownerAddress, "--nonce", "1", "--chain-id", Long.toString(CHAIN)).exit());
        assertEquals(0, cli("sign-binding", "--binding", binding.toString(), "--owner-key", owner.toString()).exit());
        Run register = cli("register", "--api", net.api, "--device-key", signing.toString(), "--csr", csr.toString(),
                "--binding", binding.toString(), "--maker", "acme-labs");
        assertEquals(0, register.exit(), register.json() + register.err());
        DeviceSigningKey key = KeyFiles.readDeviceKey(signing).key();

        assertEquals("accepted", verify(id, key, 1));
        Run notListed = cli("denylist", "show", "--api", net.api, "--device-id", id);
        assertEquals(FlywheelCli.REFUSED, notListed.exit());
        assertEquals("not_denylisted", notListed.json().path("error").asText());

        Run add = cli("denylist", "add", "--api", net.api, "--device-id", id, "--reason", "spoofing GPS (ticket 42)");
        assertEquals(0, add.exit(), add.json() + add.err());
        assertTrue(add.json().path("denylisted").asBoolean());
        assertEquals("spoofing GPS (ticket 42)", add.json().path("reason").asText());
        Run show = cli("denylist", "show", "--api", net.api, "--device-id", id);
        assertEquals(0, show.exit());
        assertEquals("spoofing GPS (ticket 42)", show.json().path("reason").asText());
        assertFalse(show.json().path("addedAt").asText().isEmpty());

        assertEquals("denylisted", verify(id, key, 2));

        Run remove = cli("denylist", "remove", "--api", net.api, "--device-id", id);
        assertEquals(0, remove.exit(), remove.json().toString());
        assertTrue(remove.json().path("removed").asBoolean());
        assertEquals("accepted", verify(id, key, 3));

        // Removing again changes nothing and says so; bad input is refused with a reason code.
        Run again = cli("denylist", "remove", "--api", net.api, "--device-id", id);
        assertEquals(0, again.exit());
        assertFalse(again.json().path("removed").asBoolean());
        Run noReason = cli("denylist", "add", "--api", net.api, "--device-id", id, "--reason", " ");
        assertEquals(FlywheelCli.REFUSED, noReason.exit());
        assertEquals("invalid_request", noReason.json().path("error").asText());
        Run badId = cli("denylist", "add", "--api", net.api, "--device-id", "bad%23id", "--reason", "x");
        assertEquals(FlywheelCli.REFUSED, badId.exit());
        assertEquals("invalid_device_id", badId.json().path("error").asText());
        assertEquals("not_denylisted", cli("denylist", "show", "--api", net.api, "--device-id", id).json().path("error").asText());
    }
}
