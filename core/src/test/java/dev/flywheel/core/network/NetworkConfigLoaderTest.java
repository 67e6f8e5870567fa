package dev.flywheel.core.network;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.core.reward.RewardRules;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NetworkConfigLoaderTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** The file with its first version alone: each test adds the versions it is about. */
    private static ObjectNode base() throws Exception {
        ObjectNode c = (ObjectNode) MAPPER.readTree(Files.readString(Path.of("../config/network.json")));
        ArrayNode versions = (ArrayNode) c.get("rewards");
        while (versions.size() > 1) {
            versions.remove(versions.size() - 1);
        }
        return c;
    }

    private static NetworkConfigException refused(Consumer<ObjectNode> edit) throws Exception {
        ObjectNode c = base();
        edit.accept(c);
        return assertThrows(NetworkConfigException.class, () -> NetworkConfigLoader.parse(c.toString()));
    }

    private static ObjectNode v0(ObjectNode c) {
        return (ObjectNode) c.get("rewards").get(0);
    }

    @Test
    void theNetworkFileLoadsAndIsPackaged() {
        NetworkConfig c = NetworkConfigLoader.load(Path.of("../config/network.json"));
        assertEquals(86400, c.epochLength().toSeconds());
        assertEquals("v1", c.rulesFor(5).version());
        assertEquals(new BigInteger("1000000000000000000000"), c.emission().emissionFor(0));
        // one 15 % reduction after 365 epochs
        assertEquals(new BigInteger("850000000000000000000"), c.emission().emissionFor(365));
        assertEquals(c, NetworkConfigLoader.packaged(), "jars carry config/network.json as it is");
        assertNotNull(NetworkConfigLoaderTest.class.getResource("/flywheel/network.schema.json"));
    }

    @Test
    void aBandwidthPoolPaysBandwidthReceiptsFromVersionV2() {
        NetworkConfig c = NetworkConfigLoader.load(Path.of("../config/network.json"));
        // v1 closed epochs without one: bandwidth.receipt credits before epoch 365 stay unpooled (a new version takes
        // effect from a future epoch; earlier epochs keep recomputing under v1).
        assertEquals("v1", c.rulesFor(364).version());
        assertNull(c.rulesFor(364).poolOf("bandwidth.receipt"));
        RewardRules v2 = c.rulesFor(365);
        assertEquals("v2", v2.version());
        assertEquals("bandwidth", v2.poolOf("bandwidth.receipt").name());
        assertEquals(1000, v2.poolOf("bandwidth.receipt").shareBps());
        assertEquals(3000, v2.poolOf("sensor.reading").shareBps(), "the sensor pool gave up the bandwidth pool's 10 %");
        // Otherwise v1's rules: emission, cuts and the other pools carry on unchanged.
        assertEquals(c.rulesFor(364).emissionFor(365), v2.emissionFor(365));
        assertEquals(new BigInteger("850000000000000000000"), c.emission().emissionFor(365));
        for (String source : List.of("uptime.response", "mobility.trace", "coverage.beacon", "coverage.witness")) {
            assertEquals(c.rulesFor(364).poolOf(source), v2.poolOf(source), source);
        }
        assertEquals(c.rulesFor(364).coverageUnits(), v2.coverageUnits());
    }

    @Test
    void theFileHoldsTheHip15ParametersAndSeparateBeaconAndWitnessPools() throws Exception {
        RewardRules v1 = NetworkConfigLoader.load(Path.of("../config/network.json")).rulesFor(0);
        assertEquals(RewardRules.CoverageUnits.HIP15, v1.coverageUnits());
        assertEquals(new RewardRules.CoverageUnits(4, 8000, 2, 14), v1.coverageUnits());
        // The PoC share (30 %) split as Helium's 6 % beacons, 24 % witnesses, each over its own window credits.
        assertEquals("beacon", v1.poolOf("coverage.beacon").name());
        assertEquals(600, v1.poolOf("coverage.beacon").shareBps());
        assertEquals("witness", v1.poolOf("coverage.witness").name());
        assertEquals(2400, v1.poolOf("coverage.witness").shareBps());
        // Absent: Helium's values, written out in the rules' JSON (the manifest embeds them).
        ObjectNode c = base();
        v0(c).remove("coverageUnits");
        RewardRules defaults = NetworkConfigLoader.parse(c.toString()).rulesFor(0);
        assertEquals(RewardRules.CoverageUnits.HIP15, defaults.coverageUnits());
        assertEquals(14, defaults.toJson().get("coverageUnits").get("maxRewardedWitnesses").asInt());
        ((ObjectNode) v0(c).putObject("coverageUnits")).put("decayBps", 5000);
        assertEquals(new RewardRules.CoverageUnits(4, 5000, 2, 14), NetworkConfigLoader.parse(c.toString()).rulesFor(0).coverageUnits());
    }

    @Test
    void hip15ParametersOutOfRangeAreRefusedNamingFieldAndValue() throws Exception {
        var e = refused(c -> ((ObjectNode) v0(c).get("coverageUnits")).put("decayBps", 10000).put("redundancy", 0)
                .put("beaconerCap", -2).put("witnesses", 3));
        assertTrue(e.getMessage().contains("$.rewards[0].coverageUnits.decayBps: '10000' is above 9999"), e.getMessage());
        assertTrue(e.getMessage().contains("$.rewards[0].coverageUnits.redundancy: '0' is below 1"), e.getMessage());
        assertTrue(e.getMessage().contains("$.rewards[0].coverageUnits.beaconerCap: '-2' is negative"), e.getMessage());
        assertTrue(e.getMessage().contains("$.rewards[0].coverageUnits.witnesses: 3 is not a known field"), e.getMessage());
        var type = refused(c -> ((ObjectNode) v0(c).get("coverageUnits")).put("maxRewardedWitnesses", "14"));
        assertTrue(type.getMessage().contains("$.rewards[0].coverageUnits.maxRewardedWitnesses: \"14\" must be an integer"), type.getMessage());
    }

    @Test
    void poolsOverOneHundredPercentAreRefusedNamingFieldAndValue() throws Exception {
        var e = refused(c -> ((ObjectNode) v0(c).get("pools").get(0)).put("shareBps", 9000));
        assertTrue(e.getMessage().contains("$.rewards[0].pools: '15000 bps' cuts and pools add up to 150.00 %"), e.getMessage());
    }

    @Test
    void negativeEmissionIsRefused() throws Exception {
        var e = refused(c -> ((ObjectNode) v0(c).get("emission").get("steps").get(0)).put("perEpoch", "-5"));
        assertTrue(e.getMessage().contains("$.rewards[0].emission.steps[0].perEpoch: '-5' is negative"), e.getMessage());
    }

    @Test
    void unknownProofTypeIsRefused() throws Exception {
        var e = refused(c -> ((ObjectNode) v0(c).get("pools").get(0).get("sources")).put("dashcam.frame", 1));
        assertTrue(e.getMessage().contains("$.rewards[0].pools[0].sources.dashcam.frame: 'dashcam.frame' is an unknown proof type"),
                e.getMessage());
    }

    @Test
    void overlappingScheduleStepsAreRefused() throws Exception {
        var e = refused(c -> {
            ArrayNode steps = (ArrayNode) v0(c).get("emission").get("steps");
            ((ObjectNode) steps.get(0)).put("untilEpoch", 100);
            steps.addObject().put("fromEpoch", 50).put("perEpoch", "10");
        });
        assertTrue(e.getMessage().contains("$.rewards[0].emission.steps[1].fromEpoch: '50' overlaps steps[0] (until 100)"),
                e.getMessage());
        var open = refused(c -> ((ArrayNode) v0(c).get("emission").get("steps")).addObject().put("fromEpoch", 700).put("perEpoch", "1"));
        assertTrue(open.getMessage().contains("steps[1].fromEpoch: '700' overlaps steps[0] (until open-ended)"), open.getMessage());
    }

    @Test
    void unknownFieldsAndBadTypesAreNamed() throws Exception {
        var e = refused(c -> {
            c.put("emision", 5);
            ((ObjectNode) c.get("epoch")).put("lengthSeconds", "day");
        });
        assertTrue(e.getMessage().contains("$.emision: 5 is not a known field"), e.getMessage());
        assertTrue(e.getMessage().contains("$.epoch.lengthSeconds: \"day\" must be an integer"), e.getMessage());
        assertEquals(2, e.problems().size(), "every problem at once");
    }

    @Test
    void aVersionTakingEffectInThePastOfAClosedEpochIsRefused() throws Exception {
        ObjectNode c = base();
        ObjectNode v2 = ((ArrayNode) c.get("rewards")).addObject();
        v2.setAll(v0(c).deepCopy());
        v2.put("version", "v2").put("effectiveFromEpoch", 10);
        NetworkConfig config = NetworkConfigLoader.parse(c.toString());
        assertEquals("v1", config.rulesFor(9).version());
        assertEquals("v2", config.rulesFor(10).version());
        config.checkAgainstClosed(9, "v1");
        var e = assertThrows(NetworkConfigException.class, () -> config.checkAgainstClosed(12, "v1"));
        assertTrue(e.getMessage().contains("$.rewards[1].effectiveFromEpoch: 10 is not after the last closed epoch 12"), e.getMessage());
        var gone = assertThrows(NetworkConfigException.class, () -> NetworkConfigLoader.parse(base().toString()).checkAgainstClosed(3, "v0"));
        assertTrue(gone.getMessage().contains("version 'v0' that closed epoch 3 is missing"), gone.getMessage());
    }

    @Test
    void versionsMustIncrease() throws Exception {
        var e = refused(c -> {
            ObjectNode v2 = ((ArrayNode) c.get("rewards")).addObject();
            v2.setAll(v0(c).deepCopy());
            v2.put("version", "v1").put("effectiveFromEpoch", 0);
        });
        assertTrue(e.getMessage().contains("$.rewards[1].version: 'v1' is used twice"), e.getMessage());
        assertTrue(e.getMessage().contains("$.rewards[1].effectiveFromEpoch: '0' must be after the previous version's (0)"), e.getMessage());
    }

    @Test
    void rulesRoundTripThroughTheirJson() throws Exception {
        NetworkConfig c = NetworkConfigLoader.parse(base().toString());
        RewardRules r = c.versions().getFirst();
        ObjectNode doc = base();
        ((ArrayNode) doc.get("rewards")).set(0, r.toJson());
        assertEquals(List.of(r), NetworkConfigLoader.parse(doc.toString()).versions(),
                "the rules the manifest embeds load back to the same rules");
    }
}
