package dev.flywheel.devnet;

import dev.flywheel.device.pki.InvalidCsrException;
import dev.flywheel.device.pki.IssuedCertificate;
import dev.flywheel.device.pki.LocalCertificateAuthority;
import dev.flywheel.iot.CertificateIssuer;
import dev.flywheel.iot.CsrCheck;
import dev.flywheel.iot.IssuedDeviceCertificate;
import dev.flywheel.iot.MalformedCsrException;
import software.amazon.awssdk.services.iot.IotClient;
import software.amazon.awssdk.services.iot.model.CertificateStatus;
import software.amazon.awssdk.services.iot.model.RegisterCertificateWithoutCaResponse;

/**
 * Devnet: moto's {@code CreateCertificateFromCsr} signs with its own throw-away CA, which the local
 * Mosquitto does not trust. So the devnet CA (the one Mosquitto trusts) signs the CSR, and the PEM is
 * registered in moto with {@code RegisterCertificateWithoutCA} so the certificate exists as an IoT
 * principal (attachable to the thing, deactivatable on revocation), exactly as a maker's own CA
 * certificate would on AWS (multi-account registration). Devnet-only: it lives here, not in the registry's
 * Lambda jar; {@link LocalCaIssuerFactory} puts it in place when {@code flywheel.certificates.issuer=local-ca}.
 */
public final class LocalCaCertificateIssuer implements CertificateIssuer {
    private final IotClient iot;
    private final LocalCertificateAuthority ca;

    public LocalCaCertificateIssuer(IotClient iot, LocalCertificateAuthority ca) {
        this.iot = iot;
        this.ca = ca;
    }

    @Override
    public IssuedDeviceCertificate issue(String thingName, String csrPem) {
        CsrCheck.validate(csrPem, thingName);
        IssuedCertificate cert;
        try {
            cert = ca.issueFromCsr(csrPem);
        } catch (InvalidCsrException e) {
            throw new MalformedCsrException(e.getMessage(), e);
        }
        RegisterCertificateWithoutCaResponse r = iot.registerCertificateWithoutCA(b -> b
                .certificatePem(cert.certificatePem()).status(CertificateStatus.ACTIVE));
        return new IssuedDeviceCertificate(r.certificateId(), r.certificateArn(), cert.certificatePem());
    }

    @Override
    public String kind() {
        return "local-ca";
    }
}
