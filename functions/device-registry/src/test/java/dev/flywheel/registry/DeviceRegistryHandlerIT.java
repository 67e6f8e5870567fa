package dev.flywheel.registry;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.core.crypto.DeviceSigningKey;
import dev.flywheel.core.crypto.Encoding;
import dev.flywheel.core.crypto.SignatureScheme;
import dev.flywheel.core.onboarding.LocationAssertion;
import dev.flywheel.core.onboarding.OwnerBinding;
import dev.flywheel.device.pki.LocalCertificateAuthority;
import dev.flywheel.dynamodb.TableNames;
import dev.flywheel.testing.MotoDynamo;
import dev.flywheel.testing.MotoTables;
import io.micronaut.context.ApplicationContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Keys;
import org.web3j.crypto.Sign;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.iot.IotClient;
import software.amazon.awssdk.services.iot.model.ThingAttribute;

import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DeviceRegistryHandler on the devnet's moto_server (DynamoDB + IoT control plane), certificates issued as on
 * AWS (issuer iot-core: moto's CreateCertificateFromCsr; the devnet CA issuer lives in the devnet module and is
 * covered by the CLI's ITs, whose certificates connect to Mosquitto): onboarding, transfer, location, revocation, and every refusal
 * leaving the registry and IoT Core unchanged.
 */
class DeviceRegistryHandlerIT {
    @RegisterExtension
    static final MotoTables MOTO = new MotoTables();
    static final long CHAIN = 80002;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ObjectMapper JSON = new ObjectMapper();

    private static DynamoDbClient dynamo;
    private static IotClient iot;
    private static TableNames tables;
    private static String policy;
    private static DeviceRegistryHandler handler;

    @BeforeAll
    static void start() {
        dynamo = MOTO.dynamo();
        tables = MOTO.tables();
        iot = IotClient.builder().endpointOverride(MotoDynamo.iotEndpoint()).region(Region.of(System.getenv("AWS_REGION")))
                .httpClient(UrlConnectionHttpClient.create()).build();
        policy = tables.devices().replace("-devices", "-device");
        iot.createPolicy(b -> b.policyName(policy).policyDocument("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                + "\"Action\":\"iot:Connect\",\"Resource\":\"*\"}]}"));
        handler = new DeviceRegistryHandler(ApplicationContext.builder().properties(properties(tables, policy, 3600)));
    }

    static Map<String, Object> properties(TableNames t, String policy, long minLocationSeconds) {
        Map<String, Object> p = new HashMap<>();
        p.put("flywheel.devices.table", t.devices());
        p.put("flywheel.chain.id", CHAIN);
        p.put("flywheel.iot.device-policy", policy);
        p.put("flywheel.certificates.issuer", "iot-core");
        p.put("flywheel.location.min-interval-seconds", minLocationSeconds);
        return p;
    }

    @AfterAll
    static void stop() {
        if (handler != null) {
            handler.close();
        }
    }

    /** A device in the making: its keys, CSR and id. */
    record Device(String id, DeviceSigningKey key, KeyPair tls, String csr) {
        static Device create() {
            String id = "dev-" + UUID.randomUUID().toString().substring(0, 8);
            KeyPair tls = LocalCertificateAuthority.generateTlsKeyPair(RANDOM);
            return new Device(id, DeviceSigningKey.generate(SignatureScheme.ED25519, RANDOM), tls,
                    LocalCertificateAuthority.createCsr(id, tls));
        }
    }

    static Credentials wallet() {
        try {
            return Credentials.create(Keys.createEcKeyPair(RANDOM));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String walletSign(Credentials c, byte[] digest) {
        Sign.SignatureData s = Sign.signMessage(digest, c.getEcKeyPair(), false);
        return "0x" + HexFormat.of().formatHex(s.getR()) + HexFormat.of().formatHex(s.getS()) + HexFormat.of().formatHex(s.getV());
    }

    static String addr(Credentials c) {
        return c.getAddress().toLowerCase();
    }

    static ObjectNode registration(Device d, Credentials owner, long nonce, String deviceSig, String ownerSig) {
        ObjectNode o = JSON.createObjectNode();
        o.put("thingName", d.id());
        o.put("maker", "acme-labs");
        o.put("scheme", d.key().scheme().wireId());
        o.put("publicKey", Encoding.base64Url(d.key().publicKey()));
        o.put("csr", d.csr());
        ObjectNode b = o.putObject("binding");
        b.put("owner", addr(owner));
        b.put("nonce", nonce);
        b.put("chainId", CHAIN);
        if (deviceSig != null) {
            o.put("deviceSignature", deviceSig);
        }
        if (ownerSig != null) {
            o.put("ownerSignature", ownerSig);
        }
        return o;
    }

    static ObjectNode signedRegistration(Device d, Credentials owner) {
        OwnerBinding b = new OwnerBinding(d.id(), addr(owner), 1, CHAIN);
        return registration(d, owner, 1, Encoding.base64Url(d.key().sign(b.deviceMessage())), walletSign(owner, b.eip712Digest()));
    }

    static ObjectNode transfer(Device d, Credentials newOwner, Credentials currentOwner, long nonce) {
        OwnerBinding b = new OwnerBinding(d.id(), addr(newOwner), nonce, CHAIN);
        ObjectNode o = JSON.createObjectNode();
        ObjectNode binding = o.putObject("binding");
        binding.put("owner", addr(newOwner));
        binding.put("nonce", nonce);
        binding.put("chainId", CHAIN);
        o.put("deviceSignature", Encoding.base64Url(d.key().sign(b.deviceMessage())));
        o.put("ownerSignature", walletSign(newOwner, b.eip712Digest()));
        if (currentOwner != null) {
            o.put("currentOwnerSignature", walletSign(currentOwner, b.eip712Digest()));
        }
        return o;
    }

    record Reply(int status, JsonNode body) {
        String error() {
            return body.path("error").asText(null);
        }
    }

    static Reply call(String method, String path, Object body) {
        APIGatewayV2HTTPEvent e = new APIGatewayV2HTTPEvent();
        e.setRawPath(path);
        e.setRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod(method).withPath(path).build()).build());
        e.setBody(body == null ? null : body.toString());
        APIGatewayV2HTTPResponse r = handler.handleRequest(e, null);
        try {
            return new Reply(r.getStatusCode(), JSON.readTree(r.getBody()));
        } catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** Every registry item of a device (device item + history items), as raw attribute maps. */
    static Map<String, Map<String, AttributeValue>> registryItems(String deviceId) {
        Map<String, Map<String, AttributeValue>> items = new TreeMap<>();
        dynamo.scan(s -> s.tableName(tables.devices()).consistentRead(true)).items().stream()
                .filter(i -> i.get("deviceId").s().equals(deviceId) || i.get("deviceId").s().startsWith(deviceId + "#"))
                .forEach(i -> items.put(i.get("deviceId").s(), i));
        return items;
    }

    static Set<String> thingNames() {
        return iot.listThingsPaginator(b -> b.maxResults(250)).things().stream().map(ThingAttribute::thingName)
                .collect(Collectors.toSet());
    }

    static Set<String> certificateIds() {
        return iot.listCertificatesPaginator(b -> b.pageSize(250)).certificates().stream()
                .map(c -> c.certificateId()).collect(Collectors.toSet());
    }

    @Test
    void onboardTransferLocateAndRevoke() {
        Device d = Device.create();
        Credentials alice = wallet();
        ObjectNode request = signedRegistration(d, alice);
        request.putArray("capabilities").add("uptime");
        Reply r = call("POST", "/devices", request);
        assertEquals(201, r.status(), r.body().toString());
        // An uptime node is what the network-entropy function issues service challenges to.
        assertTrue(new dev.flywheel.dynamodb.DynamoDeviceRegistry(dynamo, tables.devices())
                .activeWithCapability("uptime").contains(d.id()));
        assertEquals(addr(alice), r.body().path("owner").asText());
        assertEquals("active", r.body().path("status").asText());
        assertEquals(2, r.body().path("nextOwnerNonce").asLong());
        String certId = r.body().path("certificateId").asText();
        assertTrue(r.body().path("certificatePem").asText().startsWith("-----BEGIN CERTIFICATE-----"));

        // IoT side: thing with the maker attribute, certificate ACTIVE, attached to the thing and to the policy.
        assertEquals("acme-labs", iot.describeThing(b -> b.thingName(d.id())).attributes().get("maker"));
        assertEquals("ACTIVE", iot.describeCertificate(b -> b.certificateId(certId)).certificateDescription().statusAsString());
        assertTrue(iot.listThingPrincipals(b -> b.thingName(d.id())).principals().contains(r.body().path("certificateArn").asText()));
        assertTrue(iot.listAttachedPolicies(b -> b.target(r.body().path("certificateArn").asText())).policies().stream()
                .anyMatch(p -> p.policyName().equals(policy)));

        // Registering the same id again is refused.
        assertEquals("already_registered", call("POST", "/devices", signedRegistration(d, alice)).error());

        // Transfer to bob: device + bob + alice sign nonce 2.
        Credentials bob = wallet();
        Reply t = call("POST", "/devices/" + d.id() + "/owner", transfer(d, bob, alice, 2));
        assertEquals(200, t.status(), t.body().toString());
        assertEquals(addr(bob), t.body().path("owner").asText());

        // Location by the current owner (bob); alice can no longer assert it.
        LocationAssertion byAlice = new LocationAssertion(d.id(), "8b2a100d2d1bfff", 55, 12, 1, CHAIN);
        assertEquals("not_current_owner", call("POST", "/devices/" + d.id() + "/location",
                location(byAlice, walletSign(alice, byAlice.eip712Digest()))).error());
        Reply l = call("POST", "/devices/" + d.id() + "/location", location(byAlice, walletSign(bob, byAlice.eip712Digest())));
        assertEquals(200, l.status(), l.body().toString());
        assertEquals("8b2a100d2d1bfff", l.body().path("location").path("h3Cell").asText());
        // The same signed assertion again is a replay; a fresh one within the interval is rate-limited.
        assertEquals("stale_nonce", call("POST", "/devices/" + d.id() + "/location",
                location(byAlice, walletSign(bob, byAlice.eip712Digest()))).error());
        LocationAssertion again = new LocationAssertion(d.id(), "8b2a100d2d1afff", 55, 12, 2, CHAIN);
        Reply limited = call("POST", "/devices/" + d.id() + "/location", location(again, walletSign(bob, again.eip712Digest())));
        assertEquals(429, limited.status());
        assertEquals("location_rate_limited", limited.error());

        // Revoke: certificate INACTIVE in IoT, status revoked, and final.
        Reply rev = call("POST", "/devices/" + d.id() + "/status", JSON.createObjectNode().put("status", "revoked").put("reason", "stolen"));
        assertEquals(200, rev.status(), rev.body().toString());
        assertEquals("revoked", rev.body().path("status").asText());
        assertEquals("INACTIVE", iot.describeCertificate(b -> b.certificateId(certId)).certificateDescription().statusAsString());
        assertEquals("device_revoked", call("POST", "/devices/" + d.id() + "/status",
                JSON.createObjectNode().put("status", "active").put("reason", "oops")).error());
        assertEquals("device_revoked", call("POST", "/devices/" + d.id() + "/owner", transfer(d, alice, bob, 3)).error());

        // History: two owner bindings, one location, one status change.
        Reply show = call("GET", "/devices/" + d.id(), null);
        assertEquals(200, show.status());
        assertEquals(2, show.body().path("ownerHistory").size());
        assertEquals(addr(bob), show.body().path("ownerHistory").get(1).path("fields").path("owner").asText());
        assertEquals(1, show.body().path("locationHistory").size());
        assertEquals(1, show.body().path("statusHistory").size());
        assertEquals("unknown_device", call("GET", "/devices/nobody-" + d.id(), null).error());
    }

    static ObjectNode location(LocationAssertion a, String sig) {
        ObjectNode o = JSON.createObjectNode();
        o.put("h3Cell", a.h3Cell());
        o.put("antennaGainDeciDbi", a.antennaGainDeciDbi());
        o.put("elevationMeters", a.elevationMeters());
        o.put("nonce", a.nonce());
        o.put("chainId", a.chainId());
        o.put("ownerSignature", sig);
        return o;
    }

    @Test
    void aRegistrationWithASignatureMissingOrForAnotherDeviceChangesNothing() {
        Device d = Device.create();
        Credentials owner = wallet();
        OwnerBinding b = new OwnerBinding(d.id(), addr(owner), 1, CHAIN);
        String deviceSig = Encoding.base64Url(d.key().sign(b.deviceMessage()));
        String ownerSig = walletSign(owner, b.eip712Digest());
        Device other = Device.create();
        String ownerSigForOther = walletSign(owner, new OwnerBinding(other.id(), addr(owner), 1, CHAIN).eip712Digest());
        String deviceSigForOther = Encoding.base64Url(d.key().sign(new OwnerBinding(other.id(), addr(owner), 1, CHAIN).deviceMessage()));

        Set<String> thingsBefore = thingNames();
        Set<String> certsBefore = certificateIds();
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("missing_owner_signature", registration(d, owner, 1, deviceSig, null).toString());
        cases.put("missing_device_signature", registration(d, owner, 1, null, ownerSig).toString());
        cases.put("bad_owner_signature", registration(d, owner, 1, deviceSig, ownerSigForOther).toString());
        cases.put("bad_device_signature", registration(d, owner, 1, deviceSigForOther, ownerSig).toString());
        cases.put("stale_nonce", registration(d, owner, 2, deviceSig, ownerSig).toString());
        for (var c : cases.entrySet()) {
            Reply r = call("POST", "/devices", c.getValue());
            assertEquals(c.getKey(), r.error(), r.body().toString());
            assertTrue(r.status() >= 400 && r.status() < 500);
            assertEquals(Map.of(), registryItems(d.id()), "registry changed by a refused registration (" + c.getKey() + ")");
        }
        assertEquals(thingsBefore, thingNames(), "a refused registration created a thing");
        assertEquals(certsBefore, certificateIds(), "a refused registration created a certificate");
    }

    @Test
    void aTransferReplayedOrMissingASignatureChangesNothing() {
        Device d = Device.create();
        Credentials alice = wallet();
        Credentials bob = wallet();
        Credentials carol = wallet();
        assertEquals(201, call("POST", "/devices", signedRegistration(d, alice)).status());
        ObjectNode toBob = transfer(d, bob, alice, 2);
        assertEquals(200, call("POST", "/devices/" + d.id() + "/owner", toBob).status());
        Map<String, Map<String, AttributeValue>> before = registryItems(d.id());

        // The very same transfer again (nonce 2 was used): a replay.
        assertEquals("stale_nonce", call("POST", "/devices/" + d.id() + "/owner", toBob).error());
        // The original registration binding (nonce 1) replayed as a transfer back to alice.
        OwnerBinding first = new OwnerBinding(d.id(), addr(alice), 1, CHAIN);
        ObjectNode oldBinding = JSON.createObjectNode();
        oldBinding.putObject("binding").put("owner", addr(alice)).put("nonce", 1).put("chainId", CHAIN);
        oldBinding.put("deviceSignature", Encoding.base64Url(d.key().sign(first.deviceMessage())));
        oldBinding.put("ownerSignature", walletSign(alice, first.eip712Digest()));
        assertEquals("stale_nonce", call("POST", "/devices/" + d.id() + "/owner", oldBinding).error());
        // To carol without the current owner's (bob's) approval: a missing signature (400), as documented.
        Reply noCurrentOwner = call("POST", "/devices/" + d.id() + "/owner", transfer(d, carol, null, 3));
        assertEquals("missing_owner_signature", noCurrentOwner.error());
        assertEquals(400, noCurrentOwner.status());
        // Approved by the previous owner instead of the current one: refused (403).
        assertEquals(403, call("POST", "/devices/" + d.id() + "/owner", transfer(d, carol, alice, 3)).status());
        assertEquals("not_current_owner", call("POST", "/devices/" + d.id() + "/owner", transfer(d, carol, alice, 3)).error());
        // Carol's signature is missing.
        ObjectNode noOwnerSig = transfer(d, carol, bob, 3);
        noOwnerSig.remove("ownerSignature");
        assertEquals("missing_owner_signature", call("POST", "/devices/" + d.id() + "/owner", noOwnerSig).error());
        // The device's signature is missing.
        ObjectNode noDeviceSig = transfer(d, carol, bob, 3);
        noDeviceSig.remove("deviceSignature");
        assertEquals("missing_device_signature", call("POST", "/devices/" + d.id() + "/owner", noDeviceSig).error());
        // Carol signed a binding for another device.
        Device other = Device.create();
        ObjectNode wrongDevice = transfer(d, carol, bob, 3);
        wrongDevice.put("ownerSignature", walletSign(carol, new OwnerBinding(other.id(), addr(carol), 3, CHAIN).eip712Digest()));
        assertEquals("bad_owner_signature", call("POST", "/devices/" + d.id() + "/owner", wrongDevice).error());
        // Signed for another chain.
        OwnerBinding otherChain = new OwnerBinding(d.id(), addr(carol), 3, 137);
        ObjectNode wrongChain = JSON.createObjectNode();
        wrongChain.putObject("binding").put("owner", addr(carol)).put("nonce", 3).put("chainId", 137);
        wrongChain.put("deviceSignature", Encoding.base64Url(d.key().sign(otherChain.deviceMessage())));
        wrongChain.put("ownerSignature", walletSign(carol, otherChain.eip712Digest()));
        wrongChain.put("currentOwnerSignature", walletSign(bob, otherChain.eip712Digest()));
        assertEquals("wrong_chain", call("POST", "/devices/" + d.id() + "/owner", wrongChain).error());
        // Unknown device.
        assertEquals("unknown_device", call("POST", "/devices/" + other.id() + "/owner", transfer(other, carol, bob, 1)).error());

        assertEquals(before, registryItems(d.id()), "a refused transfer changed the registry");
        // And the proper one still works.
        assertEquals(200, call("POST", "/devices/" + d.id() + "/owner", transfer(d, carol, bob, 3)).status());
    }

    @Test
    void compressedEcdsaKeysRegisterAndAreStoredAsSent() {
        for (SignatureScheme scheme : new SignatureScheme[]{SignatureScheme.P256_SHA256, SignatureScheme.SECP256K1_KECCAK256}) {
            Device plain = Device.create();
            Device d = new Device(plain.id(), DeviceSigningKey.generate(scheme, RANDOM).withCompressedPublicKey(), plain.tls(), plain.csr());
            assertEquals(33, d.key().publicKey().length);
            Reply r = call("POST", "/devices", signedRegistration(d, wallet()));
            assertEquals(201, r.status(), scheme + ": " + r.body());
            assertEquals(Encoding.base64Url(d.key().publicKey()), r.body().path("publicKey").asText());
            // The handler's ObjectMapper bean keeps null and empty members (documented API shape).
            Reply shown = call("GET", "/devices/" + d.id(), null);
            assertTrue(shown.body().has("statusReason") && shown.body().get("statusReason").isNull(), shown.body().toString());
            assertTrue(shown.body().path("locationHistory").isArray() && shown.body().path("locationHistory").isEmpty());
            // 33 bytes with the uncompressed prefix is neither form: refused.
            byte[] wrongPrefix = d.key().publicKey();
            wrongPrefix[0] = 0x04;
            ObjectNode req = signedRegistration(Device.create(), wallet());
            req.put("scheme", scheme.wireId());
            req.put("publicKey", Encoding.base64Url(wrongPrefix));
            assertEquals("invalid_public_key", call("POST", "/devices", req).error());
        }
    }

    @Test
    void theOwnerMayBeSentAndSignedInItsEip55Spelling() {
        Device d = Device.create();
        Credentials alice = wallet();
        String eip55 = dev.flywheel.core.crypto.EvmSignatures.checksummed(addr(alice));
        OwnerBinding b = new OwnerBinding(d.id(), addr(alice), 1, CHAIN);
        // The device signed the message with the checksummed owner, the request carries it checksummed too.
        ObjectNode request = registration(d, alice, 1, Encoding.base64Url(d.key().sign(b.deviceMessageChecksummed())),
                walletSign(alice, b.eip712Digest()));
        ((ObjectNode) request.get("binding")).put("owner", eip55);
        Reply r = call("POST", "/devices", request);
        assertEquals(201, r.status(), r.body().toString());
        assertEquals(addr(alice), r.body().path("owner").asText(), "stored lowercase");

        // A lowercase request with a device signature over the EIP-55 spelling is the same binding: accepted.
        Device d2 = Device.create();
        OwnerBinding b2 = new OwnerBinding(d2.id(), addr(alice), 1, CHAIN);
        assertEquals(201, call("POST", "/devices", registration(d2, alice, 1,
                Encoding.base64Url(d2.key().sign(b2.deviceMessageChecksummed())), walletSign(alice, b2.eip712Digest()))).status());

        // Mixed case with a broken checksum is a typo, refused before any signature is looked at.
        Device d3 = Device.create();
        ObjectNode typo = signedRegistration(d3, alice);
        // Anvil's account #1 has a known checksum with letters of both cases; flip the first letter's case.
        String known = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
        String broken = "0x70997970c51812dc3A010C7d01b50e0d17dc79C8";
        assertEquals(known, dev.flywheel.core.crypto.EvmSignatures.checksummed(broken));
        ((ObjectNode) typo.get("binding")).put("owner", broken);
        assertEquals("invalid_owner_address", call("POST", "/devices", typo).error());
        assertFalse(thingNames().contains(d3.id()));
    }

    @Test
    void aMalformedCsrIsRefusedAndCreatesNothingInIot() {
        Device d = Device.create();
        Credentials owner = wallet();
        Set<String> thingsBefore = thingNames();
        Set<String> certsBefore = certificateIds();
        KeyPair otherKey = LocalCertificateAuthority.generateTlsKeyPair(RANDOM);
        List<String> badCsrs = List.of(
                "-----BEGIN CERTIFICATE REQUEST-----\nnot base64 at all\n-----END CERTIFICATE REQUEST-----\n",
                d.csr().replace("CERTIFICATE REQUEST", "CERTIFICATE"),
                LocalCertificateAuthority.createCsr("someone-else", otherKey),
                tamper(d.csr()));
        for (String csr : badCsrs) {
            ObjectNode body = signedRegistration(d, owner);
            body.put("csr", csr);
            Reply r = call("POST", "/devices", body);
            assertEquals(400, r.status(), r.body().toString());
            assertEquals("malformed_csr", r.error(), r.body().toString());
        }
        assertEquals(thingsBefore, thingNames(), "a malformed CSR created a thing");
        assertEquals(certsBefore, certificateIds(), "a malformed CSR created a certificate");
        assertEquals(Map.of(), registryItems(d.id()));
        assertFalse(thingNames().contains(d.id()));
    }

    /** Flips one base64 character inside the CSR body, so its self-signature no longer verifies. */
    private static String tamper(String csrPem) {
        String[] lines = csrPem.split("\n");
        char[] line = lines[3].toCharArray();
        line[10] = line[10] == 'A' ? 'B' : 'A';
        lines[3] = new String(line);
        return String.join("\n", lines) + "\n";
    }
}
