package dev.flywheel.devnet;

import org.junit.jupiter.api.Test;

import java.math.BigInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole loop on the real local servers, as scripts/demo runs it but smaller: devices publish
 * over MQTT/mTLS, the host's rule/queue/verifier record verdicts, the scheduled closer and settler
 * put the root on Anvil, and an owner claims through the claims API.
 */
class DemoIT {

    @Test
    void aSmallFleetIsVerifiedRewardedSettledAndClaimed() throws Exception {
        // A stack and a port of its own, so a demo running beside the tests keeps its claims API.
        DevnetConfig devnet = DevnetFixture.freshStack("it-demo-");

        Demo.Result result = new Demo().run(devnet, 10, 2, 10);

        // 10 devices with the demo mix (7 honest, 1 forger, 1 replayer, 1 out of range), 2 proofs each.
        assertEquals(20, result.published());
        long rejected = result.rejected().values().stream().mapToLong(Long::longValue).sum();
        assertEquals(result.published(), result.accepted() + rejected, "every message has exactly one verdict");
        assertEquals(2, result.rejected().get("bad_signature"));
        assertEquals(1, result.rejected().get("replayed"));
        assertEquals(2, result.rejected().get("value_out_of_range"));
        assertEquals(15, result.accepted());
        assertEquals(8, result.rewardedDevices());
        assertTrue(result.rootTx().startsWith("0x") && result.claimTx().startsWith("0x"));
        assertTrue(new BigInteger(result.claimedAmount()).signum() > 0);
        assertEquals(result.claimedAmount(), result.tokenBalance());

        // Receipts: the verifier answers every first-recorded verdict through the (host-played) IoT data plane.
        Demo.Receipts receipts = result.receipts();
        assertEquals(0, receipts.missing(), "every acknowledged message got a receipt: " + receipts);
        assertEquals(0, receipts.unmatched(), "no receipt for a proof the fleet did not send: " + receipts);
        assertEquals(result.accepted(), receipts.accepted(), "accepted receipts = accepted verdicts");
        assertEquals(result.rejected(), receipts.rejected().entrySet().stream()
                        .collect(java.util.stream.Collectors.toMap(java.util.Map.Entry::getKey, e -> e.getValue().longValue())),
                "rejected receipts by reason = rejected verdicts by reason");
    }
}
