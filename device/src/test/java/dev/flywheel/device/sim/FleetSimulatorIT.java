package dev.flywheel.device.sim;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.core.proof.DeviceRecord;
import dev.flywheel.core.proof.DeviceStatus;
import dev.flywheel.core.verify.InboundProof;
import dev.flywheel.core.proof.PlausibilityChecks;
import dev.flywheel.core.verify.ProofVerifier;
import dev.flywheel.core.proof.ReasonCode;
import dev.flywheel.core.verify.Verdict;
import dev.flywheel.core.verify.VerificationPolicy;
import dev.flywheel.device.DevnetEnv;
import dev.flywheel.device.mqtt.DeviceClient;
import dev.flywheel.device.mqtt.Topics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A whole fleet through the devnet broker: devices with certificates from the devnet CA publish
 * over mTLS, a stand-in backend holding the rules-engine identity verifies each proof with the
 * core verifier and answers on the device's receipts topic, and the simulator's report must show
 * every role getting the verdict it deserves.
 */
@Timeout(180)
class FleetSimulatorIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void fleetRunCollectsAVerdictForEveryMessage() throws Exception {
        DevnetEnv env = DevnetEnv.require();
        SecureRandom random = new SecureRandom();
        List<SimulatedDevice> fleet = FleetSimulator.provision(20, FleetMix.DEMO, env.certificateAuthority(), dir,
                random, List.of("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"));
        int proofsPerDevice = 3;

        List<String> progress = Collections.synchronizedList(new ArrayList<>());
        FleetReport report;
        try (DeviceClient backend = stubBackend(env, fleet)) {
            report = FleetSimulator.run(fleet, env.endpoint(), proofsPerDevice, new ProgressListener() {
                @Override
                public void onProgress(Phase phase, int done, int total) {
                    progress.add(phase + " " + done + "/" + total);
                }

                @Override
                public void onNote(String message) {
                    progress.add("note " + message);
                }
            }, RunOptions.defaults().withMaxConcurrentDevices(8).withReceiptGrace(Duration.ofSeconds(10)));
        }
        System.out.println(report.summary());

        Map<DeviceRole, Long> devicesPerRole = fleet.stream()
                .collect(Collectors.groupingBy(SimulatedDevice::role, () -> new EnumMap<>(DeviceRole.class), Collectors.counting()));
        assertEquals(20, report.connected(), report.summary());
        assertEquals(0, report.connectFailures(), report.summary());
        assertEquals(0, report.publishFailures(), report.summary());
        assertEquals(report.published(), report.pubacks(), report.summary());
        assertEquals(0, report.receiptsMissing(), report.summary());
        int honest = devicesPerRole.get(DeviceRole.HONEST).intValue();
        int forgers = devicesPerRole.get(DeviceRole.FORGER).intValue();
        int replayers = devicesPerRole.get(DeviceRole.REPLAYER).intValue();
        int hot = devicesPerRole.get(DeviceRole.OUT_OF_RANGE).intValue();
        assertEquals(honest * proofsPerDevice, report.publishedByRole().get(DeviceRole.HONEST));
        assertEquals(replayers * proofsPerDevice, report.publishedByRole().get(DeviceRole.REPLAYER));

        Map<DeviceRole, Map<String, Integer>> byRole = report.receiptsByRole();
        assertEquals(honest * proofsPerDevice, byRole.get(DeviceRole.HONEST).get("accepted"), report.summary());
        assertEquals(forgers * proofsPerDevice, byRole.get(DeviceRole.FORGER).get("rejected:bad_signature"), report.summary());
        assertEquals(replayers, byRole.get(DeviceRole.REPLAYER).get("accepted"), report.summary());
        assertEquals(replayers * (proofsPerDevice - 1), byRole.get(DeviceRole.REPLAYER).get("rejected:" + ReasonCode.REPLAYED.wire()),
                report.summary());
        assertEquals(hot * proofsPerDevice, byRole.get(DeviceRole.OUT_OF_RANGE).get("rejected:value_out_of_range"),
                report.summary());

        Set<String> phasesAtFull = progress.stream().filter(p -> p.matches("\\w+ (\\d+)/\\1"))
                .map(p -> p.split(" ")[0]).collect(Collectors.toSet());
        assertEquals(Set.of("CONNECT", "PUBLISH", "RECEIPTS"), phasesAtFull, progress.toString());
        assertTrue(progress.stream().filter(p -> p.startsWith("PUBLISH")).count() >= 10, "a line per 10 %: " + progress);
    }

    @Test
    void adversarialRolesGetWhatTheyDeserveAndWrongTopicMessagesAreNeverDelivered() throws Exception {
        DevnetEnv env = DevnetEnv.require();
        List<SimulatedDevice> fleet = FleetSimulator.provision(6, FleetMix.parse("honest=3,wrong_topic=1,teleporter=1,clock_skew=1"),
                env.certificateAuthority(), dir, new SecureRandom(), List.of("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"));
        int proofsPerDevice = 2;
        FleetReport report;
        try (DeviceClient backend = stubBackend(env, fleet)) {
            report = FleetSimulator.run(fleet, env.endpoint(), proofsPerDevice, ProgressListener.NONE,
                    RunOptions.defaults().withReceiptGrace(Duration.ofSeconds(3)));
        }
        System.out.println(report.summary());
        assertEquals(6, report.connected(), report.summary());
        assertEquals(0, report.publishFailures(), report.summary());
        // Mosquitto acknowledges the wrong-topic publishes (MQTT 3.1.1 has no way to say no) and drops them.
        assertEquals(proofsPerDevice, report.pubackedByRole().get(DeviceRole.WRONG_TOPIC), report.summary());
        assertEquals(proofsPerDevice, report.notDelivered(), report.summary());
        assertEquals(report.pubacks() - proofsPerDevice, report.expectedVerdicts());
        assertEquals(0, report.receiptsMissing(), report.summary());
        // Not delivered: no receipt for the wrong-topic device, and none on its target's topic either.
        assertEquals(Map.of(), report.receiptsByRole().getOrDefault(DeviceRole.WRONG_TOPIC, Map.of()), report.summary());
        assertEquals(0, report.receiptsUnmatched(), report.summary());
        Map<DeviceRole, Map<String, Integer>> byRole = report.receiptsByRole();
        assertEquals(Map.of("accepted", 3 * proofsPerDevice), byRole.get(DeviceRole.HONEST), report.summary());
        assertEquals(Map.of("rejected:" + ReasonCode.LOCATION_MISMATCH.wire(), proofsPerDevice), byRole.get(DeviceRole.TELEPORTER),
                report.summary());
        assertEquals(Map.of("rejected:" + ReasonCode.FROM_FUTURE.wire(), proofsPerDevice), byRole.get(DeviceRole.CLOCK_SKEW),
                report.summary());
    }

    /**
     * What the devnet's IoT rule + verifier do, reduced to the core verifier plus an in-memory
     * proof-id set for the stateful replay check. Ignores devices that are not in this fleet.
     */
    private static DeviceClient stubBackend(DevnetEnv env, List<SimulatedDevice> fleet) throws Exception {
        Map<String, DeviceRecord> registry = fleet.stream().collect(Collectors.toMap(SimulatedDevice::deviceId,
                d -> new DeviceRecord(d.deviceId(), d.signingKey().scheme(), d.signingKey().publicKey(),
                        d.ownerAddress().toLowerCase(), DeviceStatus.ACTIVE, d.h3Cell()),
                (a, b) -> a));
        ProofVerifier verifier = new ProofVerifier(id -> Optional.ofNullable(registry.get(id)), id -> false,
                VerificationPolicy.defaults(), PlausibilityChecks.defaults());
        Set<String> seen = ConcurrentHashMap.newKeySet();
        byte[] suffix = new byte[4];
        new SecureRandom().nextBytes(suffix);
        DeviceClient backend = DeviceClient.builder(DevnetEnv.RULES_ENGINE, env.rulesEngineCert(), env.rulesEngineKey(), env.endpoint())
                .clientId(DevnetEnv.RULES_ENGINE + "-fleet-it-" + java.util.HexFormat.of().formatHex(suffix))
                .cleanSession(true)
                .build();
        backend.connect();
        Function<DeviceClient.InboundMessage, Void> handle = m -> {
            String deviceId = Topics.deviceIdOf(m.topic());
            if (deviceId == null || !registry.containsKey(deviceId)) {
                return null;
            }
            Verdict verdict = verifier.verify(new InboundProof(m.topic() + "#" + System.nanoTime(), deviceId, Instant.now(), m.payload()));
            ObjectNode receipt = JSON.createObjectNode();
            switch (verdict) {
                case Verdict.Accepted a -> {
                    receipt.put("proofId", a.proof().proofId()).put("seq", a.proof().sequence());
                    if (seen.add(a.proof().proofId())) {
                        receipt.put("outcome", "accepted").putNull("reason");
                    } else {
                        receipt.put("outcome", "rejected").put("reason", ReasonCode.REPLAYED.wire());
                    }
                }
                case Verdict.Rejected r -> receipt.put("proofId", r.proofId()).put("seq", r.sequence())
                        .put("outcome", "rejected").put("reason", r.reason().wire());
            }
            try {
                backend.publish(Topics.receipts(deviceId), JSON.writeValueAsBytes(receipt));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return null;
        };
        backend.subscribe(Topics.ALL_PROOFS, handle::apply).get(10, TimeUnit.SECONDS);
        return backend;
    }
}
