package dev.flywheel.core.types.bandwidth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flywheel.core.crypto.DeviceSigningKey;
import dev.flywheel.core.crypto.Encoding;
import dev.flywheel.core.crypto.SignatureScheme;
import dev.flywheel.core.proof.DeviceRecord;
import dev.flywheel.core.proof.DeviceStatus;
import dev.flywheel.core.proof.PlausibilityChecks;
import dev.flywheel.core.proof.PriorProofs;
import dev.flywheel.core.proof.ProofTypes;
import dev.flywheel.core.verify.InboundProof;
import dev.flywheel.core.verify.ProofVerifier;
import dev.flywheel.core.verify.Verdict;
import dev.flywheel.core.verify.VerificationPolicy;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The published {@code bandwidth.receipt} vectors: the file is what the generator writes, the client's signing bytes
 * and signature reproduce byte for byte from the stated keys, and every case, run in order through one verifier built
 * from the registry with the stated registry and limits, gets the stated verdict, reason and units.
 */
class BandwidthVectorsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode file() throws Exception {
        try (InputStream in = BandwidthVectorsTest.class.getResourceAsStream("/vectors/bandwidth-receipt-v1.json")) {
            return JSON.readTree(in);
        }
    }

    @Test
    void theFileIsWhatTheGeneratorWrites() throws Exception {
        assertEquals(JSON.readTree(JSON.writeValueAsString(BandwidthVectorsGenerator.generate())), file(),
                "regenerate with BandwidthVectorsGenerator");
    }

    @Test
    void clientSigningBytesAndSignatureReproduce() throws Exception {
        JsonNode v = file();
        JsonNode client = registry(v).get(BandwidthVectorsGenerator.CLIENT);
        DeviceSigningKey key = DeviceSigningKey.fromPrivateKey(SignatureScheme.fromWireId(client.get("scheme").asText()).orElseThrow(),
                Encoding.fromHex(client.get("privateKeyHex").asText()));
        assertArrayEquals(Encoding.fromHex(client.get("publicKeyHex").asText()), key.publicKey());
        JsonNode receipt = v.get("receipt");
        JsonNode honest = JSON.readTree(v.get("cases").get(0).get("wire").asText()).get("body");
        byte[] signing = ClientReceipts.signingBytes(receipt.get("node").asText(), honest.get("client").asText(),
                honest.get("session").asText(), honest.get("bytes").asLong(), honest.get("start").asLong(), honest.get("end").asLong());
        assertEquals(receipt.get("signingBytesUtf8").asText(), new String(signing, StandardCharsets.UTF_8));
        assertArrayEquals(Encoding.fromHex(receipt.get("signingBytesHex").asText()), signing);
        byte[] signature = Encoding.fromHex(receipt.get("clientSignatureHex").asText());
        assertTrue(key.scheme().verify(key.publicKey(), signing, signature));
        assertArrayEquals(signature, key.sign(signing), "RFC 6979 signing is deterministic");
        assertEquals(receipt.get("clientSignatureBase64Url").asText(), honest.get("clientSig").get("value").asText());
    }

    @Test
    void everyCaseGetsItsVerdictInOrder() throws Exception {
        JsonNode v = file();
        Map<String, JsonNode> registry = registry(v);
        Map<String, DeviceRecord> records = new HashMap<>();
        registry.forEach((id, d) -> records.put(id, new DeviceRecord(id, SignatureScheme.fromWireId(d.get("scheme").asText()).orElseThrow(),
                Encoding.fromHex(d.get("publicKeyHex").asText()), d.get("owner").asText(), DeviceStatus.ACTIVE, null)));
        BandwidthDirectory directory = new BandwidthDirectory() {
            @Override
            public Optional<DeviceRecord> client(String clientId) {
                return Optional.ofNullable(records.get(clientId));
            }

            @Override
            public OptionalLong capacityBytesPerSecond(String nodeId) {
                JsonNode d = registry.get(nodeId);
                if (d == null) {
                    return OptionalLong.empty();
                }
                for (JsonNode c : d.get("capabilities")) {
                    OptionalLong capacity = BandwidthDirectory.parseCapacity(c.asText());
                    if (capacity.isPresent()) {
                        return capacity;
                    }
                }
                return OptionalLong.empty();
            }
        };
        JsonNode l = v.get("limits");
        var limits = new BandwidthLimits(Duration.ofMillis(l.get("maxWindowMillis").asLong()), Duration.ofMillis(l.get("maxReceiptAgeMillis").asLong()),
                Duration.ofMillis(l.get("capPeriodMillis").asLong()), l.get("pairCapBytes").asLong(), l.get("clientCapBytes").asLong(),
                l.get("bytesPerUnit").asLong());
        var rule = new BandwidthReceiptRule(directory, new InMemoryBandwidthSessions(), limits);
        var verifier = new ProofVerifier(id -> Optional.ofNullable(records.get(id)), id -> false, VerificationPolicy.defaults(),
                new PlausibilityChecks(List.of(rule)), ProofTypes.enabled(java.util.Set.of(BandwidthReceipt.TYPE)), PriorProofs.NONE);
        List<String> got = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        for (JsonNode c : v.get("cases")) {
            Verdict verdict = verifier.verify(new InboundProof(c.get("name").asText(), c.get("topicDevice").asText(),
                    Instant.ofEpochMilli(c.get("receivedAt").asLong()), c.get("wire").asText().getBytes(StandardCharsets.UTF_8)));
            got.add(c.get("name").asText() + " " + switch (verdict) {
                case Verdict.Accepted a -> "accepted " + a.workUnits();
                case Verdict.Rejected r -> "rejected " + r.reason().wire();
            });
            expected.add(c.get("name").asText() + " " + c.get("outcome").asText() + " "
                    + (c.get("reason").isNull() ? String.valueOf(c.get("workUnits").asLong()) : c.get("reason").asText()));
        }
        assertEquals(expected, got);
    }

    private static Map<String, JsonNode> registry(JsonNode v) {
        Map<String, JsonNode> byId = new HashMap<>();
        v.get("registry").forEach(d -> byId.put(d.get("device").asText(), d));
        return byId;
    }
}
