package dev.flywheel.core.onboarding;

import dev.flywheel.core.crypto.DeviceSigningKey;
import dev.flywheel.core.crypto.Encoding;
import dev.flywheel.core.crypto.EvmSignatures;
import dev.flywheel.core.crypto.SignatureScheme;
import dev.flywheel.core.proof.DeviceRecord;
import dev.flywheel.core.proof.DeviceStatus;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Sign;
import org.web3j.crypto.StructuredDataEncoder;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OnboardingRulesTest {
    private static final long CHAIN = 80002;
    // Anvil's well-known test accounts #1 and #2: public test keys, never funded outside a devnet.
    private static final Credentials ALICE = Credentials.create("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
    private static final Credentials BOB = Credentials.create("0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a");
    private static final DeviceSigningKey DEVICE = DeviceSigningKey.fromPrivateKey(SignatureScheme.ED25519, new byte[32]);
    private static final String H3 = "8a2a1072b59ffff";

    private final OnboardingRules rules = new OnboardingRules(CHAIN, Duration.ofHours(24));

    private static String addr(Credentials c) {
        return c.getAddress().toLowerCase();
    }

    /** What a wallet returns for eth_sign of a raw 32-byte digest (no message prefix): r || s || v. */
    private static byte[] walletSign(Credentials who, byte[] digest) {
        Sign.SignatureData sig = Sign.signMessage(digest, who.getEcKeyPair(), false);
        byte[] out = new byte[65];
        System.arraycopy(sig.getR(), 0, out, 0, 32);
        System.arraycopy(sig.getS(), 0, out, 32, 32);
        out[64] = sig.getV()[0];
        return out;
    }

    private Optional<OnboardingError> bind(DeviceRecord current, long nonce, OwnerBinding b, byte[] deviceSig,
                                           byte[] ownerSig, byte[] currentOwnerSig) {
        return rules.checkBinding(current, nonce, b, SignatureScheme.ED25519, DEVICE.publicKey(), deviceSig, ownerSig,
                currentOwnerSig);
    }

    private static DeviceRecord registered(String owner, DeviceStatus status) {
        return new DeviceRecord("dev-1", SignatureScheme.ED25519, DEVICE.publicKey(), owner, status, H3);
    }

    @Test
    void eip712DigestMatchesAnIndependentImplementation() throws Exception {
        OwnerBinding b = new OwnerBinding("dev-1", addr(ALICE), 7, CHAIN);
        String typedData = """
                {"types":{"EIP712Domain":[{"name":"name","type":"string"},{"name":"version","type":"string"},{"name":"chainId","type":"uint256"}],
                 "DeviceOwner":[{"name":"deviceId","type":"string"},{"name":"owner","type":"address"},{"name":"nonce","type":"uint256"}]},
                 "primaryType":"DeviceOwner","domain":{"name":"Flywheel","version":"1","chainId":80002},
                 "message":{"deviceId":"dev-1","owner":"%s","nonce":7}}""".formatted(addr(ALICE));
        assertArrayEquals(new StructuredDataEncoder(typedData).hashStructuredData(), b.eip712Digest());

        LocationAssertion l = new LocationAssertion("dev-1", H3, -25, 120, 8, CHAIN);
        String locationData = """
                {"types":{"EIP712Domain":[{"name":"name","type":"string"},{"name":"version","type":"string"},{"name":"chainId","type":"uint256"}],
                 "DeviceLocation":[{"name":"deviceId","type":"string"},{"name":"h3Cell","type":"string"},{"name":"antennaGainDeciDbi","type":"int32"},{"name":"elevationMeters","type":"int32"},{"name":"nonce","type":"uint256"}]},
                 "primaryType":"DeviceLocation","domain":{"name":"Flywheel","version":"1","chainId":80002},
                 "message":{"deviceId":"dev-1","h3Cell":"%s","antennaGainDeciDbi":-25,"elevationMeters":120,"nonce":8}}""".formatted(H3);
        assertArrayEquals(new StructuredDataEncoder(locationData).hashStructuredData(), l.eip712Digest());
    }

    @Test
    void recoversTheWalletAddressAndRejectsMalformedSignatures() {
        byte[] digest = new OwnerBinding("dev-1", addr(ALICE), 1, CHAIN).eip712Digest();
        byte[] sig = walletSign(ALICE, digest);
        assertEquals(Optional.of(addr(ALICE)), EvmSignatures.recoverAddress(digest, sig));
        byte[] zeroBasedV = sig.clone();
        zeroBasedV[64] -= 27;
        assertEquals(Optional.of(addr(ALICE)), EvmSignatures.recoverAddress(digest, zeroBasedV));
        byte[] badV = sig.clone();
        badV[64] = 29;
        assertTrue(EvmSignatures.recoverAddress(digest, badV).isEmpty());
        assertTrue(EvmSignatures.recoverAddress(digest, new byte[64]).isEmpty());
        assertTrue(EvmSignatures.recoverAddress(digest, new byte[65]).isEmpty());
    }

    @Test
    void firstBindingNeedsBothSignaturesOverTheNextNonce() {
        OwnerBinding b = new OwnerBinding("dev-1", addr(ALICE), 1, CHAIN);
        byte[] deviceSig = DEVICE.sign(b.deviceMessage());
        byte[] ownerSig = walletSign(ALICE, b.eip712Digest());
        assertEquals(Optional.empty(), bind(null, 0, b, deviceSig, ownerSig, null));
        assertEquals(Optional.of(OnboardingError.MISSING_DEVICE_SIGNATURE), bind(null, 0, b, null, ownerSig, null));
        assertEquals(Optional.of(OnboardingError.MISSING_OWNER_SIGNATURE), bind(null, 0, b, deviceSig, new byte[0], null));
        assertEquals(Optional.of(OnboardingError.STALE_NONCE), bind(null, 1, b, deviceSig, ownerSig, null));
        assertEquals(Optional.of(OnboardingError.BAD_OWNER_SIGNATURE),
                bind(null, 0, b, deviceSig, walletSign(BOB, b.eip712Digest()), null));
        OwnerBinding otherDevice = new OwnerBinding("dev-2", addr(ALICE), 1, CHAIN);
        assertEquals(Optional.of(OnboardingError.BAD_OWNER_SIGNATURE),
                bind(null, 0, b, deviceSig, walletSign(ALICE, otherDevice.eip712Digest()), null), "signature over another device");
        assertEquals(Optional.of(OnboardingError.BAD_DEVICE_SIGNATURE),
                bind(null, 0, b, DEVICE.sign(otherDevice.deviceMessage()), ownerSig, null));
        assertEquals(Optional.of(OnboardingError.WRONG_CHAIN),
                bind(null, 0, new OwnerBinding("dev-1", addr(ALICE), 1, 137), deviceSig, ownerSig, null));
        assertEquals(Optional.of(OnboardingError.INVALID_OWNER_ADDRESS),
                bind(null, 0, new OwnerBinding("dev-1", "0x1234", 1, CHAIN), deviceSig, ownerSig, null));
    }

    @Test
    void transferNeedsTheCurrentOwnerToo() {
        DeviceRecord current = registered(addr(ALICE), DeviceStatus.ACTIVE);
        OwnerBinding toBob = new OwnerBinding("dev-1", addr(BOB), 2, CHAIN);
        byte[] deviceSig = DEVICE.sign(toBob.deviceMessage());
        byte[] bobSig = walletSign(BOB, toBob.eip712Digest());
        assertEquals(Optional.of(OnboardingError.MISSING_OWNER_SIGNATURE), bind(current, 1, toBob, deviceSig, bobSig, null),
                "no currentOwnerSignature at all");
        assertEquals(Optional.of(OnboardingError.MISSING_OWNER_SIGNATURE), bind(current, 1, toBob, deviceSig, bobSig, new byte[0]));
        assertEquals(Optional.of(OnboardingError.NOT_CURRENT_OWNER),
                bind(current, 1, toBob, deviceSig, bobSig, walletSign(BOB, toBob.eip712Digest())));
        assertEquals(Optional.empty(), bind(current, 1, toBob, deviceSig, bobSig, walletSign(ALICE, toBob.eip712Digest())));
        assertEquals(Optional.of(OnboardingError.STALE_NONCE),
                bind(current, 2, toBob, deviceSig, bobSig, walletSign(ALICE, toBob.eip712Digest())), "replayed after use");
        assertEquals(Optional.of(OnboardingError.DEVICE_REVOKED),
                bind(registered(addr(ALICE), DeviceStatus.REVOKED), 1, toBob, deviceSig, bobSig,
                        walletSign(ALICE, toBob.eip712Digest())));
    }

    @Test
    void locationIsOwnerSignedAndRateLimited() {
        DeviceRecord current = registered(addr(ALICE), DeviceStatus.ACTIVE);
        Instant now = Instant.parse("2026-11-25T12:00:00Z");
        LocationAssertion a = new LocationAssertion("dev-1", "8a2a1072b587fff", 30, 10, 4, CHAIN);
        byte[] sig = walletSign(ALICE, a.eip712Digest());
        assertEquals(Optional.empty(), rules.checkLocation(current, 3, null, now, a, sig));
        assertEquals(Optional.empty(), rules.checkLocation(current, 3, now.minus(Duration.ofHours(24)), now, a, sig));
        assertEquals(Optional.of(OnboardingError.LOCATION_RATE_LIMITED),
                rules.checkLocation(current, 3, now.minus(Duration.ofHours(24)).plusSeconds(1), now, a, sig));
        assertEquals(Optional.of(OnboardingError.NOT_CURRENT_OWNER),
                rules.checkLocation(current, 3, null, now, a, walletSign(BOB, a.eip712Digest())));
        assertEquals(Optional.of(OnboardingError.STALE_NONCE), rules.checkLocation(current, 4, null, now, a, sig));
        assertEquals(Optional.of(OnboardingError.UNKNOWN_DEVICE), rules.checkLocation(null, 3, null, now, a, sig));
        LocationAssertion bogus = new LocationAssertion("dev-1", "ffffffffffffffff".substring(1), 0, 0, 4, CHAIN);
        assertEquals(Optional.of(OnboardingError.INVALID_H3_CELL),
                rules.checkLocation(current, 3, null, now, bogus, walletSign(ALICE, bogus.eip712Digest())));
    }

    @Test
    void theDeviceMaySignTheOwnerLowercaseOrEip55AndNothingElse() {
        // Anvil account #1, whose EIP-55 spelling wallets show: 0x70997970C51812dc3A010C7d01b50e0d17dc79C8.
        OwnerBinding b = new OwnerBinding("dev-1", addr(ALICE), 1, CHAIN);
        assertEquals("0x70997970C51812dc3A010C7d01b50e0d17dc79C8", EvmSignatures.checksummed(addr(ALICE)));
        assertEquals(ALICE.getAddress().toLowerCase(), addr(ALICE));
        assertTrue(new String(b.deviceMessageChecksummed(), java.nio.charset.StandardCharsets.UTF_8)
                .contains("\"owner\":\"0x70997970C51812dc3A010C7d01b50e0d17dc79C8\""));
        byte[] ownerSig = walletSign(ALICE, b.eip712Digest());
        assertEquals(Optional.empty(), bind(null, 0, b, DEVICE.sign(b.deviceMessage()), ownerSig, null), "lowercase");
        assertEquals(Optional.empty(), bind(null, 0, b, DEVICE.sign(b.deviceMessageChecksummed()), ownerSig, null), "EIP-55");
        // The binding itself is case-blind: built from the checksummed spelling it is the same binding.
        OwnerBinding fromChecksummed = new OwnerBinding("dev-1", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", 1, CHAIN);
        assertEquals(b, fromChecksummed);
        assertArrayEquals(b.eip712Digest(), fromChecksummed.eip712Digest());
        // Any other spelling in the signed message is a different message.
        byte[] upper = new String(b.deviceMessage(), java.nio.charset.StandardCharsets.UTF_8)
                .replace(addr(ALICE), "0x" + addr(ALICE).substring(2).toUpperCase()).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(Optional.of(OnboardingError.BAD_DEVICE_SIGNATURE), bind(null, 0, b, DEVICE.sign(upper), ownerSig, null));
    }

    @Test
    void acceptedOwnerSpellingsAreLowercaseUppercaseOrAValidChecksum() {
        assertTrue(EvmSignatures.isAcceptedSpelling("0x70997970c51812dc3a010c7d01b50e0d17dc79c8"));
        assertTrue(EvmSignatures.isAcceptedSpelling("0x70997970C51812DC3A010C7D01B50E0D17DC79C8"));
        assertTrue(EvmSignatures.isAcceptedSpelling("0x70997970C51812dc3A010C7d01b50e0d17dc79C8"));
        assertTrue(!EvmSignatures.isAcceptedSpelling("0x70997970c51812dc3A010C7d01b50e0d17dc79C8"), "one letter's case flipped");
        assertTrue(!EvmSignatures.isAcceptedSpelling("0x70997970c51812dc3a010c7d01b50e0d17dc79"));
        // EIP-55's own examples.
        assertEquals("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
                EvmSignatures.checksummed("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"));
        assertEquals("0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
                EvmSignatures.checksummed("0xfb6916095ca1df60bb79ce92ce3ea74c37c5d359"));
    }

    @Test
    void deviceMessageIsCanonicalAndPurposeTagged() {
        OwnerBinding b = new OwnerBinding("dev-1", "0xAbCdEf0000000000000000000000000000000001", 3, CHAIN);
        assertEquals("{\"chainId\":80002,\"device\":\"dev-1\",\"nonce\":3,\"owner\":\"0xabcdef0000000000000000000000000000000001\","
                + "\"purpose\":\"flywheel.owner-binding.v1\"}", new String(b.deviceMessage(), java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(64, Encoding.hex(b.eip712Digest()).length());
    }
}
