package dev.flywheel.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flywheel.function.JsonMapperSettings;
import dev.flywheel.core.crypto.DeviceSigningKey;
import dev.flywheel.core.crypto.Encoding;
import dev.flywheel.core.crypto.SignatureScheme;
import dev.flywheel.core.proof.DeviceStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.security.SecureRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RequestsTest {
    private static final Requests REQUESTS = new Requests(JsonMapperSettings.configure(new ObjectMapper()));
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String OWNER = "0x" + "ab".repeat(20);
    private static final String SIG = "0x" + "11".repeat(65);

    private static String registerBody(String thingName, String scheme, String publicKey, String extra) {
        return "{\"thingName\":\"" + thingName + "\",\"maker\":\"acme\",\"scheme\":\"" + scheme + "\",\"publicKey\":\""
                + publicKey + "\",\"csr\":\"-----BEGIN CERTIFICATE REQUEST-----\",\"binding\":{\"owner\":\"" + OWNER
                + "\",\"nonce\":1,\"chainId\":80002},\"deviceSignature\":\"AAAA\",\"ownerSignature\":\"" + SIG + "\"" + extra + "}";
    }

    private static String code(Runnable r) {
        return assertThrows(RequestException.class, r::run).result.body().get("error").toString();
    }

    @ParameterizedTest
    @EnumSource(SignatureScheme.class)
    void aValidRegistrationParsesForEveryScheme(SignatureScheme scheme) {
        DeviceSigningKey key = DeviceSigningKey.generate(scheme, RANDOM);
        Requests.Register r = REQUESTS.register(registerBody("dev-1", scheme.wireId(), Encoding.base64Url(key.publicKey()), ""));
        assertEquals("dev-1", r.thingName());
        assertEquals(scheme, r.scheme());
        assertArrayEquals(key.publicKey(), r.publicKey());
        assertEquals(OWNER, r.binding().owner());
        assertEquals(1, r.binding().nonce());
        assertEquals(65, r.ownerSignature().length);
    }

    @Test
    void capabilitiesAreOptionalDistinctTokens() {
        String key = Encoding.base64Url(DeviceSigningKey.generate(SignatureScheme.ED25519, RANDOM).publicKey());
        assertEquals(java.util.Set.of(), REQUESTS.register(registerBody("dev-1", "ed25519", key, "")).capabilities());
        assertEquals(java.util.Set.of("uptime", "bandwidth"),
                REQUESTS.register(registerBody("dev-1", "ed25519", key, ",\"capabilities\":[\"uptime\",\"bandwidth\"]")).capabilities());
        for (String bad : java.util.List.of("\"uptime\"", "[\"Uptime\"]", "[\"uptime\",\"uptime\"]", "[1]", "[\"\"]")) {
            assertEquals("invalid_request", code(() -> REQUESTS.register(registerBody("dev-1", "ed25519", key, ",\"capabilities\":" + bad))), bad);
        }
    }

    @Test
    void ownerAddressesAreLowercased() {
        String key = Encoding.base64Url(DeviceSigningKey.generate(SignatureScheme.ED25519, RANDOM).publicKey());
        String body = registerBody("dev-1", "ed25519", key, "").replace(OWNER, "0x" + "AB".repeat(20));
        assertEquals(OWNER, REQUESTS.register(body).binding().owner());
    }

    @Test
    void missingSignaturesParseAsNullSoTheRulesNameWhichIsMissing() {
        String key = Encoding.base64Url(DeviceSigningKey.generate(SignatureScheme.ED25519, RANDOM).publicKey());
        String body = registerBody("dev-1", "ed25519", key, "").replace(",\"deviceSignature\":\"AAAA\"", "")
                .replace("\"" + SIG + "\"", "\"\"");
        Requests.Register r = REQUESTS.register(body);
        assertNull(r.deviceSignature());
        assertNull(r.ownerSignature());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "has space", "network", "a/b", "dev#1"})
    void badThingNamesAreInvalidDeviceId(String name) {
        String key = Encoding.base64Url(DeviceSigningKey.generate(SignatureScheme.ED25519, RANDOM).publicKey());
        assertEquals("invalid_device_id", code(() -> REQUESTS.register(registerBody(name, "ed25519", key, ""))));
    }

    @Test
    void badKeysAreInvalidPublicKey() {
        assertEquals("invalid_public_key", code(() -> REQUESTS.register(registerBody("d", "rsa", "AAAA", ""))));
        assertEquals("invalid_public_key", code(() -> REQUESTS.register(registerBody("d", "ed25519", "AAAA", ""))));
        byte[] notOnCurve = new byte[65];
        notOnCurve[0] = 4;
        notOnCurve[5] = 7;
        assertEquals("invalid_public_key", code(() -> REQUESTS.register(registerBody("d", "p256-sha256", Encoding.base64Url(notOnCurve), ""))));
        assertEquals("invalid_public_key", code(() -> REQUESTS.register(registerBody("d", "ed25519", "not base64!", ""))));
    }

    @Test
    void badOwnerAndSignatureEncodings() {
        String key = Encoding.base64Url(DeviceSigningKey.generate(SignatureScheme.ED25519, RANDOM).publicKey());
        assertEquals("invalid_owner_address", code(() -> REQUESTS.register(registerBody("d", "ed25519", key, "").replace(OWNER, "0x1234"))));
        assertEquals("bad_owner_signature", code(() -> REQUESTS.register(registerBody("d", "ed25519", key, "").replace(SIG, "0x12"))));
        assertEquals("bad_device_signature", code(() -> REQUESTS.register(registerBody("d", "ed25519", key, "").replace("\"AAAA\"", "\"A=\""))));
    }

    @Test
    void aMissingCsrIsMalformedCsr() {
        String key = Encoding.base64Url(DeviceSigningKey.generate(SignatureScheme.ED25519, RANDOM).publicKey());
        String body = registerBody("d", "ed25519", key, "").replace("\"-----BEGIN CERTIFICATE REQUEST-----\"", "\"\"");
        assertEquals("malformed_csr", code(() -> REQUESTS.register(body)));
    }

    @Test
    void structuralProblemsAreInvalidRequest() {
        String key = Encoding.base64Url(DeviceSigningKey.generate(SignatureScheme.ED25519, RANDOM).publicKey());
        assertEquals("invalid_request", code(() -> REQUESTS.register("")));
        assertEquals("invalid_request", code(() -> REQUESTS.register("[1]")));
        assertEquals("invalid_request", code(() -> REQUESTS.register("{not json")));
        assertEquals("invalid_request", code(() -> REQUESTS.register(registerBody("d", "ed25519", key, ",\"extra\":1"))));
        assertEquals("invalid_request", code(() -> REQUESTS.register(registerBody("d", "ed25519", key, "").replace("\"nonce\":1", "\"nonce\":1.5"))));
        assertEquals("invalid_request", code(() -> REQUESTS.register(registerBody("d", "ed25519", key, "").replace("\"nonce\":1", "\"nonce\":0"))));
        assertEquals("invalid_request", code(() -> REQUESTS.register(registerBody("d", "ed25519", key, "").replace("\"acme\"", "\"a b\""))));
    }

    @Test
    void locationAndStatusBodies() {
        Requests.Location l = REQUESTS.location("{\"h3Cell\":\"8b2a100d2d1bfff\",\"antennaGainDeciDbi\":55,\"elevationMeters\":12,"
                + "\"nonce\":1,\"chainId\":80002,\"ownerSignature\":\"" + SIG + "\"}");
        assertEquals(55, l.antennaGainDeciDbi());
        assertEquals("invalid_request", code(() -> REQUESTS.location("{\"h3Cell\":\"x\",\"antennaGainDeciDbi\":9999,\"nonce\":1,\"chainId\":1}")));
        assertEquals(DeviceStatus.REVOKED, REQUESTS.status("{\"status\":\"revoked\",\"reason\":\"stolen\"}").status());
        assertEquals(DeviceStatus.ACTIVE, REQUESTS.status("{\"status\":\"reactivate\",\"reason\":\"found\"}").status());
        assertEquals("invalid_request", code(() -> REQUESTS.status("{\"status\":\"deleted\",\"reason\":\"x\"}")));
        assertEquals("invalid_request", code(() -> REQUESTS.status("{\"status\":\"revoked\"}")));
    }
}
