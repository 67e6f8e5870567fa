package dev.flywheel.core.types.bandwidth;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.core.crypto.DeviceSigningKey;
import dev.flywheel.core.crypto.SignatureScheme;
import dev.flywheel.core.proof.MalformedProofException;
import dev.flywheel.core.proof.ProofTypes;
import dev.flywheel.core.proof.ReasonCode;
import dev.flywheel.core.proof.TypePorts;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The codec's strictness, the registration, and which ports the rule needs. */
class BandwidthReceiptTypeTest {
    private static final BandwidthReceiptType TYPE = new BandwidthReceiptType();
    private static final DeviceSigningKey KEY = DeviceSigningKey.generate(SignatureScheme.ED25519, new SecureRandom());
    private static final BandwidthReceipt RECEIPT = ClientReceipts.countersign("node-1", "client-1", KEY,
            "0123456789abcdef0123456789abcdef", 5_000_000, 1_000, 61_000);

    @Test
    void encodeThenDecodeGivesTheSameReceipt() throws Exception {
        assertEquals(RECEIPT, TYPE.decode(TYPE.encode(RECEIPT)));
        assertEquals(RECEIPT.withNodeBytes(4_990_000), TYPE.decode(TYPE.encode(RECEIPT.withNodeBytes(4_990_000))));
        assertEquals(false, TYPE.encode(RECEIPT).has("nodeBytes"), "no node count, no member");
    }

    @Test
    void nodeAndClientCountsMayDifferByOnePercentOfTheLarger() {
        assertEquals(false, BandwidthReceiptRule.logsDisagree(10_000, 9_900));
        assertEquals(true, BandwidthReceiptRule.logsDisagree(10_000, 9_899));
        assertEquals(false, BandwidthReceiptRule.logsDisagree(9_900, 10_000));
        assertEquals(true, BandwidthReceiptRule.logsDisagree(9_899, 10_000));
        assertEquals(true, BandwidthReceiptRule.logsDisagree(1, 0));
        assertEquals(false, BandwidthReceiptRule.logsDisagree(Long.MAX_VALUE / 2, Long.MAX_VALUE / 2));
        var rule = new BandwidthReceiptRule(new BandwidthDirectory() {
            @Override
            public Optional<dev.flywheel.core.proof.DeviceRecord> client(String clientId) {
                return Optional.empty();
            }

            @Override
            public OptionalLong capacityBytesPerSecond(String nodeId) {
                return OptionalLong.empty();
            }
        }, new InMemoryBandwidthSessions(), BandwidthLimits.defaults());
        assertEquals(4, rule.workUnits(RECEIPT.withNodeBytes(4_990_000)), "the lower count is credited");
        assertEquals(5, rule.workUnits(RECEIPT.withNodeBytes(5_010_000)));
    }

    @Test
    void refusesWhatItDoesNotDefineOrSpellsTwoWays() {
        List<java.util.function.Consumer<ObjectNode>> faults = List.of(
                b -> b.put("extra", 1),
                b -> b.put("bytes", 0),
                b -> b.put("session", "0123456789ABCDEF0123456789ABCDEF"),
                b -> b.put("client", "no spaces allowed"),
                b -> ((ObjectNode) b.get("clientSig")).put("value", RECEIPT.clientSignature() + "=="),
                b -> b.remove("end"),
                b -> b.put("nodeBytes", -1),
                b -> b.put("nodeBytes", "5000000"));
        for (var fault : faults) {
            ObjectNode body = TYPE.encode(RECEIPT);
            fault.accept(body);
            MalformedProofException e = assertThrows(MalformedProofException.class, () -> TYPE.decode(body), body.toString());
            assertEquals(ReasonCode.SCHEMA_INVALID, e.reason(), body.toString());
        }
        ObjectNode unknownAlg = TYPE.encode(RECEIPT);
        ((ObjectNode) unknownAlg.get("clientSig")).put("alg", "rsa");
        assertEquals(ReasonCode.UNSUPPORTED_SIGNATURE_SCHEME, assertThrows(MalformedProofException.class, () -> TYPE.decode(unknownAlg)).reason());
    }

    @Test
    void registeredAndNeedsBothPorts() {
        assertTrue(ProofTypes.builtIn().wireTypes().contains(BandwidthReceipt.TYPE));
        BandwidthDirectory directory = new BandwidthDirectory() {
            @Override
            public Optional<dev.flywheel.core.proof.DeviceRecord> client(String clientId) {
                return Optional.empty();
            }

            @Override
            public OptionalLong capacityBytesPerSecond(String nodeId) {
                return OptionalLong.empty();
            }
        };
        assertTrue(TYPE.rule(TypePorts.none()).isEmpty());
        assertTrue(TYPE.rule(TypePorts.none().with(BandwidthDirectory.class, directory)).isEmpty());
        assertTrue(TYPE.rule(TypePorts.none().with(BandwidthDirectory.class, directory)
                .with(BandwidthSessions.class, new InMemoryBandwidthSessions())).isPresent());
        assertEquals(5, TYPE.rule(TypePorts.none().with(BandwidthDirectory.class, directory)
                .with(BandwidthSessions.class, new InMemoryBandwidthSessions())).orElseThrow().workUnits(RECEIPT));
    }

    @Test
    void capacityCapabilityIsParsedStrictly() {
        assertEquals(OptionalLong.of(125_000_000), BandwidthDirectory.parseCapacity("bandwidth.125000000"));
        for (String other : List.of("uptime", "bandwidth.", "bandwidth.0", "bandwidth.01", "bandwidth.-5", "bandwidth.1e9")) {
            assertEquals(OptionalLong.empty(), BandwidthDirectory.parseCapacity(other), other);
        }
        assertEquals(Long.MAX_VALUE, BandwidthReceiptRule.allowedBytes(Long.MAX_VALUE / 2, 3_600_000));
    }
}
