package dev.flywheel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flywheel.devnet.Demo;
import dev.flywheel.devnet.DevnetConfig;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code flywheel status device|owner|epoch} against the claims API of a demo run on the devnet (its host still up):
 * the JSON the explorer shows, and clear errors with exit 2 for unknown or malformed input, 1 when the API is
 * unreachable.
 */
class StatusCommandsIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Run(int code, String out, String err) {
        JsonNode json() throws Exception {
            return JSON.readTree(out);
        }
    }

    private static Run status(String api, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] all = new String[args.length + 3];
        all[0] = "status";
        System.arraycopy(args, 0, all, 1, args.length);
        all[args.length + 1] = "--api";
        all[args.length + 2] = api;
        int code = FlywheelCli.run(all, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void statusCommandsShowWhatTheExplorerShowsAndRefuseBadInput() throws Exception {
        DevnetConfig base = DevnetConfig.fromEnvironment(System.getenv());
        DevnetConfig devnet = new DevnetConfig(base.repoRoot(), "it-status-" + System.nanoTime(), base.mqtt(), base.caCert(),
                base.caKey(), base.rulesEngineCert(), base.rulesEngineKey(), base.certsDir(), base.chainRpc(), base.chainId(),
                base.operatorKeyFile(), base.ownerKeyFile(), 0);
        AtomicBoolean checked = new AtomicBoolean();
        new Demo().run(devnet, 6, 2, 10, running -> {
            // As $FLYWHEEL_CLAIMS_URL names it: the /claims suffix is dropped.
            String api = running.hostUrl() + "/claims";
            Run owner = status(api, "owner", running.ownerAddress());
            assertEquals(0, owner.code(), owner.err());
            assertEquals(running.result().claimedAmount(), owner.json().path("claimed").asText(), "claimed, from the chain");
            assertEquals("0", owner.json().path("claimable").asText());
            String device = owner.json().path("devices").get(0).path("deviceId").asText();

            Run d = status(api, "device", device);
            assertEquals(0, d.code(), d.err());
            assertEquals(running.ownerAddress(), d.json().path("owner").asText());
            assertTrue(d.json().path("proofs").size() > 0, d.out());

            Run e = status(api, "epoch", Long.toString(running.result().epoch()));
            assertEquals(0, e.code(), e.err());
            assertEquals(running.result().rootTx(), e.json().path("rootTx").asText());
            assertTrue(e.json().path("onChain").path("rootMatches").asBoolean(), e.out());

            Run unknown = status(api, "device", "no-such-device");
            assertEquals(2, unknown.code());
            assertTrue(unknown.err().contains("unknown_device: no device no-such-device is registered"), unknown.err());
            Run malformed = status(api, "owner", "0x1234");
            assertEquals(2, malformed.code());
            assertTrue(malformed.err().contains("invalid_address"), malformed.err());
            Run future = status(api, "epoch", "99999999999");
            assertEquals(2, future.code());
            assertTrue(future.err().contains("epoch_out_of_range"), future.err());
            Run notANumber = status(api, "epoch", "latest-ish");
            assertEquals(2, notANumber.code());
            assertTrue(notANumber.err().contains("invalid_epoch"), notANumber.err());
            checked.set(true);
        });
        assertTrue(checked.get());
        Run unreachable = status("http://127.0.0.1:9", "epoch", "0");
        assertEquals(1, unreachable.code());
        assertTrue(unreachable.err().contains("cannot reach the claims API"), unreachable.err());
    }
}
