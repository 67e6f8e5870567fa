package dev.flywheel.iot;

import software.amazon.awssdk.services.iot.IotClient;
import software.amazon.awssdk.services.iot.model.CreateCertificateFromCsrResponse;
import software.amazon.awssdk.services.iot.model.InvalidRequestException;

/** AWS: IoT Core signs the CSR with the Amazon CA ({@code CreateCertificateFromCsr}, active at once). */
public final class IotCoreCertificateIssuer implements CertificateIssuer {
    private final IotClient iot;

    public IotCoreCertificateIssuer(IotClient iot) {
        this.iot = iot;
    }

    @Override
    public IssuedDeviceCertificate issue(String thingName, String csrPem) {
        CsrCheck.validate(csrPem, thingName);
        try {
            CreateCertificateFromCsrResponse r = iot.createCertificateFromCsr(b -> b.certificateSigningRequest(csrPem).setAsActive(true));
            return new IssuedDeviceCertificate(r.certificateId(), r.certificateArn(), r.certificatePem());
        } catch (InvalidRequestException e) {
            throw new MalformedCsrException("IoT Core refused the CSR: " + e.awsErrorDetails().errorMessage(), e);
        }
    }

    @Override
    public String kind() {
        return "iot-core";
    }
}
