package dev.flywheel.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flywheel.core.crypto.Encoding;
import dev.flywheel.core.onboarding.LocationAssertion;
import dev.flywheel.core.onboarding.OnboardingError;
import dev.flywheel.core.onboarding.OnboardingRules;
import dev.flywheel.core.onboarding.OwnerBinding;
import dev.flywheel.core.proof.DeviceRecord;
import dev.flywheel.core.proof.DeviceStatus;
import dev.flywheel.dynamodb.DynamoOnboardingRegistry;
import dev.flywheel.dynamodb.OnboardedDevice;
import dev.flywheel.iot.CsrCheck;
import dev.flywheel.iot.IotDeviceProvisioner;
import dev.flywheel.iot.MalformedCsrException;

import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The device-registry operations. Each one validates the request, reads the registry, applies the
 * pure {@link OnboardingRules}, and only then changes anything, with writes conditioned on the nonce
 * it checked: a refused request (bad input, unknown or revoked device, a missing, wrong or replayed
 * signature, a malformed CSR) leaves the registry and IoT Core exactly as they were.
 */
public final class DeviceRegistryService {
    private static final System.Logger LOG = System.getLogger(DeviceRegistryService.class.getName());

    private final DynamoOnboardingRegistry registry;
    private final IotDeviceProvisioner iot;
    private final OnboardingRules rules;
    private final Clock clock;
    private final Requests requests;

    public DeviceRegistryService(DynamoOnboardingRegistry registry, IotDeviceProvisioner iot, OnboardingRules rules, Clock clock,
                                 ObjectMapper json) {
        this.requests = new Requests(json);
        this.registry = registry;
        this.iot = iot;
        this.rules = rules;
        this.clock = clock;
    }

    /** {@code POST /devices}. */
    public ApiResult register(String body) {
        Requests.Register r = requests.register(body);
        try {
            CsrCheck.validate(r.csrPem(), r.thingName());
        } catch (MalformedCsrException e) {
            return ApiResult.refused(OnboardingError.MALFORMED_CSR, e.getMessage());
        }
        if (registry.find(r.thingName()).isPresent()) {
            return ApiResult.refused(OnboardingError.ALREADY_REGISTERED, "device " + r.thingName() + " is already registered");
        }
        OwnerBinding binding = new OwnerBinding(r.thingName(), r.binding().owner(), r.binding().nonce(), r.binding().chainId());
        Optional<OnboardingError> refused = rules.checkBinding(null, 0, binding, r.scheme(), r.publicKey(),
                r.deviceSignature(), r.ownerSignature(), null);
        if (refused.isPresent()) {
            return ApiResult.refused(refused.get(), explain(refused.get(), binding.nonce(), 0));
        }
        if (iot.describeThing(r.thingName()).isPresent()) {
            return ApiResult.refused(OnboardingError.ALREADY_REGISTERED, "an IoT thing named " + r.thingName() + " already exists");
        }
        IotDeviceProvisioner.ProvisionedDevice provisioned;
        try {
            provisioned = iot.provision(r.thingName(), r.csrPem(), Map.of("maker", r.maker()));
        } catch (MalformedCsrException e) {
            return ApiResult.refused(OnboardingError.MALFORMED_CSR, e.getMessage());
        }
        Instant now = clock.instant();
        DeviceRecord device = new DeviceRecord(r.thingName(), r.scheme(), r.publicKey(), binding.owner(), DeviceStatus.ACTIVE, null);
        Map<String, String> evidence = new LinkedHashMap<>();
        evidence.put("deviceSignature", Encoding.base64Url(r.deviceSignature()));
        evidence.put("ownerSignature", hex0x(r.ownerSignature()));
        evidence.put("chainId", Long.toString(binding.chainId()));
        boolean written;
        try {
            written = registry.register(new DynamoOnboardingRegistry.Registration(device, r.maker(), provisioned.thingArn(),
                    provisioned.certificate().certificateId(), provisioned.certificate().certificateArn(), binding.nonce(), evidence,
                    r.capabilities()), now);
        } catch (RuntimeException e) {
            iot.deprovision(r.thingName(), provisioned.certificate());
            throw e;
        }
        if (!written) {
            // Another registration of the same id won the race after our checks: undo our IoT side.
            iot.deprovision(r.thingName(), provisioned.certificate());
            return ApiResult.refused(OnboardingError.ALREADY_REGISTERED, "device " + r.thingName() + " is already registered");
        }
        LOG.log(System.Logger.Level.INFO, "registered " + r.thingName() + " owner " + binding.owner() + " maker " + r.maker()
                + " certificate " + provisioned.certificate().certificateId());
        Map<String, Object> out = view(registry.find(r.thingName()).orElseThrow());
        out.put("certificatePem", provisioned.certificate().certificatePem());
        out.put("certificateIssuer", iot.issuer().kind());
        return ApiResult.ok(201, out);
    }

    /** {@code POST /devices/{id}/owner}: the device signs the new owner, the new and the current owner sign the binding. */
    public ApiResult transfer(String deviceId, String body) {
        Requests.deviceId(deviceId);
        Requests.Transfer t = requests.transfer(body);
        Optional<OnboardedDevice> found = registry.find(deviceId);
        if (found.isEmpty()) {
            return ApiResult.refused(OnboardingError.UNKNOWN_DEVICE, "no device " + deviceId);
        }
        OnboardedDevice current = found.get();
        DeviceRecord d = current.device();
        OwnerBinding binding = new OwnerBinding(deviceId, t.binding().owner(), t.binding().nonce(), t.binding().chainId());
        Optional<OnboardingError> refused = rules.checkBinding(d, current.ownerNonce(), binding, d.scheme(), d.publicKey(),
                t.deviceSignature(), t.ownerSignature(), t.currentOwnerSignature());
        if (refused.isPresent()) {
            return ApiResult.refused(refused.get(), explain(refused.get(), binding.nonce(), current.ownerNonce()));
        }
        Map<String, String> evidence = new LinkedHashMap<>();
        evidence.put("deviceSignature", Encoding.base64Url(t.deviceSignature()));
        evidence.put("ownerSignature", hex0x(t.ownerSignature()));
        evidence.put("currentOwnerSignature", t.currentOwnerSignature() == null ? null : hex0x(t.currentOwnerSignature()));
        evidence.put("chainId", Long.toString(binding.chainId()));
        if (!registry.changeOwner(deviceId, d.owner(), current.ownerNonce(), binding.owner(), evidence, clock.instant())) {
            return ApiResult.refused(OnboardingError.STALE_NONCE, "the device's owner nonce moved on meanwhile (a concurrent change); re-read and re-sign");
        }
        return ApiResult.ok(200, view(registry.find(deviceId).orElseThrow()));
    }

    /** {@code POST /devices/{id}/location}: signed by the current owner, rate-limited, recorded with history. */
    public ApiResult assertLocation(String deviceId, String body) {
        Requests.deviceId(deviceId);
        Requests.Location l = requests.location(body);
        Optional<OnboardedDevice> found = registry.find(deviceId);
        if (found.isEmpty()) {
            return ApiResult.refused(OnboardingError.UNKNOWN_DEVICE, "no device " + deviceId);
        }
        OnboardedDevice current = found.get();
        LocationAssertion assertion = new LocationAssertion(deviceId, l.h3Cell(), l.antennaGainDeciDbi(), l.elevationMeters(),
                l.nonce(), l.chainId());
        Instant now = clock.instant();
        Optional<OnboardingError> refused = rules.checkLocation(current.device(), current.locationNonce(),
                current.locationAssertedAt(), now, assertion, l.ownerSignature());
        if (refused.isPresent()) {
            return ApiResult.refused(refused.get(), explain(refused.get(), l.nonce(), current.locationNonce()));
        }
        Map<String, String> evidence = new LinkedHashMap<>();
        evidence.put("ownerSignature", hex0x(l.ownerSignature()));
        evidence.put("owner", current.device().owner());
        evidence.put("chainId", Long.toString(l.chainId()));
        if (!registry.assertLocation(deviceId, current.locationNonce(), l.h3Cell(), l.antennaGainDeciDbi(), l.elevationMeters(),
                evidence, now)) {
            return ApiResult.refused(OnboardingError.STALE_NONCE, "the device's location nonce moved on meanwhile; re-read and re-sign");
        }
        return ApiResult.ok(200, view(registry.find(deviceId).orElseThrow()));
    }

    /**
     * {@code POST /devices/{id}/status} (operators): suspend, reactivate or revoke. Revoking deactivates
     * the certificate in IoT Core first (IoT Core then refuses its connections), then marks the device
     * REVOKED, which makes the verifier reject its proofs with {@code device_revoked}. Revocation is final.
     */
    public ApiResult changeStatus(String deviceId, String body, String actor) {
        Requests.deviceId(deviceId);
        Requests.StatusChange change = requests.status(body);
        for (int attempt = 0; attempt < 3; attempt++) {
            Optional<OnboardedDevice> found = registry.find(deviceId);
            if (found.isEmpty()) {
                return ApiResult.refused(OnboardingError.UNKNOWN_DEVICE, "no device " + deviceId);
            }
            OnboardedDevice current = found.get();
            DeviceStatus from = current.device().status();
            if (from == DeviceStatus.REVOKED) {
                return ApiResult.refused(OnboardingError.DEVICE_REVOKED, "device " + deviceId + " is revoked; revocation is final");
            }
            if (from == change.status()) {
                return ApiResult.ok(200, view(current));
            }
            if (change.status() == DeviceStatus.REVOKED && current.certificateId() != null) {
                iot.deactivateCertificate(current.certificateId());
            }
            if (registry.changeStatus(deviceId, from, current.statusVersion(), change.status(), change.reason(), actor, clock.instant())) {
                LOG.log(System.Logger.Level.INFO, deviceId + ": " + from + " -> " + change.status() + " (" + change.reason() + ")");
                return ApiResult.ok(200, view(registry.find(deviceId).orElseThrow()));
            }
        }
        return ApiResult.refused(409, "concurrent_change", "the device's status kept changing; try again");
    }

    /** {@code GET /devices/{id}}: the record, the nonces the next signatures must use, and the history. */
    public ApiResult show(String deviceId) {
        Requests.deviceId(deviceId);
        Optional<OnboardedDevice> found = registry.find(deviceId);
        if (found.isEmpty()) {
            return ApiResult.refused(OnboardingError.UNKNOWN_DEVICE, "no device " + deviceId);
        }
        OnboardedDevice d = found.get();
        Map<String, Object> out = view(d);
        out.put("ownerHistory", registry.history(deviceId, DynamoOnboardingRegistry.OWNER, d.ownerNonce()));
        out.put("locationHistory", registry.history(deviceId, DynamoOnboardingRegistry.LOCATION, d.locationNonce()));
        out.put("statusHistory", registry.history(deviceId, DynamoOnboardingRegistry.STATUS, d.statusVersion()));
        return ApiResult.ok(200, out);
    }

    static Map<String, Object> view(OnboardedDevice d) {
        DeviceRecord r = d.device();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("deviceId", r.deviceId());
        out.put("status", r.status().name().toLowerCase());
        out.put("statusReason", d.statusReason());
        out.put("owner", r.owner());
        out.put("maker", d.maker());
        out.put("scheme", r.scheme().wireId());
        out.put("publicKey", Encoding.base64Url(r.publicKey()));
        out.put("registeredAt", d.registeredAt() == null ? null : d.registeredAt().toString());
        out.put("thingArn", d.thingArn());
        out.put("certificateId", d.certificateId());
        out.put("certificateArn", d.certificateArn());
        out.put("ownerNonce", d.ownerNonce());
        out.put("nextOwnerNonce", d.ownerNonce() + 1);
        Map<String, Object> location = new LinkedHashMap<>();
        location.put("h3Cell", r.h3Cell());
        location.put("antennaGainDeciDbi", d.antennaGainDeciDbi());
        location.put("elevationMeters", d.elevationMeters());
        location.put("assertedAt", d.locationAssertedAt() == null ? null : d.locationAssertedAt().toString());
        out.put("location", location);
        out.put("locationNonce", d.locationNonce());
        out.put("nextLocationNonce", d.locationNonce() + 1);
        return out;
    }

    private static String explain(OnboardingError e, long given, long current) {
        return switch (e) {
            case STALE_NONCE -> "nonce " + given + " is not the next one (" + (current + 1) + "): an old or replayed signature";
            case MISSING_DEVICE_SIGNATURE -> "the device's signature of the binding is missing";
            case MISSING_OWNER_SIGNATURE -> "an owner wallet's signature is missing (ownerSignature; on a transfer also currentOwnerSignature)";
            case BAD_DEVICE_SIGNATURE -> "the device signature does not verify with the device's key for this binding";
            case BAD_OWNER_SIGNATURE -> "the owner signature does not recover to the binding's owner for this device and nonce";
            case NOT_CURRENT_OWNER -> "not signed by the device's current owner";
            case DEVICE_REVOKED -> "the device is revoked";
            case WRONG_CHAIN -> "signed for another chain id";
            case LOCATION_RATE_LIMITED -> "location was re-asserted too recently";
            case INVALID_H3_CELL -> "not a valid H3 cell (15 lowercase hex digits)";
            case UNKNOWN_DEVICE -> "no such device";
            default -> e.wire();
        };
    }

    private static String hex0x(byte[] b) {
        return "0x" + HexFormat.of().formatHex(b);
    }
}
