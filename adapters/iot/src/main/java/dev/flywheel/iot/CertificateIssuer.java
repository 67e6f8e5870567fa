package dev.flywheel.iot;

/**
 * Issues a device's client certificate from its CSR and registers it in IoT Core (ACTIVE), so that it
 * can be attached to the thing. Implementations validate the CSR first ({@link CsrCheck}), so a
 * malformed CSR creates nothing.
 *
 * <ul>
 *   <li>{@link IotCoreCertificateIssuer}: AWS, {@code CreateCertificateFromCsr} (signed by Amazon's CA);</li>
 *   <li>{@link LocalCaCertificateIssuer}: devnet, signed by the devnet CA that Mosquitto trusts, then
 *       {@code RegisterCertificateWithoutCA} in moto so that the thing principal exists there too.</li>
 * </ul>
 */
public interface CertificateIssuer {
    /** @throws MalformedCsrException when the CSR is not usable; nothing is created then */
    IssuedDeviceCertificate issue(String thingName, String csrPem);

    /** {@code iot-core} or {@code local-ca}: the value of {@code flywheel.certificates.issuer}. */
    String kind();
}
