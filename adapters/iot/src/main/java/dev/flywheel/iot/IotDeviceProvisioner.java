package dev.flywheel.iot;

import software.amazon.awssdk.services.iot.IotClient;
import software.amazon.awssdk.services.iot.model.CertificateStatus;
import software.amazon.awssdk.services.iot.model.DescribeThingResponse;
import software.amazon.awssdk.services.iot.model.ResourceNotFoundException;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The IoT Core control-plane side of onboarding: thing, certificate, device policy, revocation.
 *
 * <p>{@link #provision} creates, in order: the certificate (from the CSR, validated first), the thing,
 * the policy attachment and the thing-principal attachment. If any step after the certificate fails,
 * what was created is undone ({@link #deprovision}), so a failed onboarding leaves nothing behind.
 * The caller writes the registry item only after provisioning succeeded, and calls
 * {@link #deprovision} if that write loses a race.
 */
public final class IotDeviceProvisioner {
    private static final System.Logger LOG = System.getLogger(IotDeviceProvisioner.class.getName());

    private final IotClient iot;
    private final CertificateIssuer issuer;
    private final String devicePolicyName;

    /** The thing and certificate of a provisioned device. */
    public record ProvisionedDevice(String thingName, String thingArn, IssuedDeviceCertificate certificate) {
    }

    public IotDeviceProvisioner(IotClient iot, CertificateIssuer issuer, String devicePolicyName) {
        this.iot = Objects.requireNonNull(iot);
        this.issuer = Objects.requireNonNull(issuer);
        this.devicePolicyName = Objects.requireNonNull(devicePolicyName);
    }

    public CertificateIssuer issuer() {
        return issuer;
    }

    /**
     * @param attributes searchable thing attributes (IoT allows up to 50; values [a-zA-Z0-9_.,@/:#=\[\]-]*)
     * @throws MalformedCsrException before anything is created
     */
    public ProvisionedDevice provision(String thingName, String csrPem, Map<String, String> attributes) {
        IssuedDeviceCertificate cert = issuer.issue(thingName, csrPem);
        String thingArn = null;
        try {
            thingArn = iot.createThing(b -> b.thingName(thingName)
                    .attributePayload(a -> a.attributes(attributes))).thingArn();
            iot.attachPolicy(b -> b.policyName(devicePolicyName).target(cert.certificateArn()));
            iot.attachThingPrincipal(b -> b.thingName(thingName).principal(cert.certificateArn()));
            return new ProvisionedDevice(thingName, thingArn, cert);
        } catch (RuntimeException e) {
            deprovision(thingArn == null ? null : thingName, cert);
            throw e;
        }
    }

    /** Best-effort undo of {@link #provision}: detach, deactivate and delete the certificate, delete the thing. */
    public void deprovision(String thingName, IssuedDeviceCertificate cert) {
        String arn = cert.certificateArn();
        quietly("detach thing principal", () -> {
            if (thingName != null) {
                iot.detachThingPrincipal(b -> b.thingName(thingName).principal(arn));
            }
        });
        quietly("detach policy", () -> iot.detachPolicy(b -> b.policyName(devicePolicyName).target(arn)));
        quietly("deactivate certificate", () -> iot.updateCertificate(b -> b.certificateId(cert.certificateId())
                .newStatus(CertificateStatus.INACTIVE)));
        quietly("delete certificate", () -> iot.deleteCertificate(b -> b.certificateId(cert.certificateId())));
        quietly("delete thing", () -> {
            if (thingName != null) {
                iot.deleteThing(b -> b.thingName(thingName));
            }
        });
    }

    /** Revocation on the transport side: IoT Core refuses connections with an INACTIVE certificate. */
    public void deactivateCertificate(String certificateId) {
        iot.updateCertificate(b -> b.certificateId(certificateId).newStatus(CertificateStatus.INACTIVE));
    }

    public void activateCertificate(String certificateId) {
        iot.updateCertificate(b -> b.certificateId(certificateId).newStatus(CertificateStatus.ACTIVE));
    }

    public String certificateStatus(String certificateId) {
        return iot.describeCertificate(b -> b.certificateId(certificateId)).certificateDescription().statusAsString();
    }

    public Optional<DescribeThingResponse> describeThing(String thingName) {
        try {
            return Optional.of(iot.describeThing(b -> b.thingName(thingName)));
        } catch (ResourceNotFoundException e) {
            return Optional.empty();
        }
    }

    private static void quietly(String what, Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "rollback step '" + what + "' failed: " + e);
        }
    }
}
