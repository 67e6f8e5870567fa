package dev.flywheel.devnet;

import dev.flywheel.device.pki.LocalCertificateAuthority;
import dev.flywheel.iot.CertificateIssuer;
import dev.flywheel.registry.DeviceRegistryFactory;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.iot.IotClient;

import java.nio.file.Path;

/**
 * The device registry's certificate issuer on the devnet ({@code flywheel.certificates.issuer=local-ca}): the
 * devnet CA that Mosquitto trusts signs the CSRs ({@link LocalCaCertificateIssuer}), in place of the registry's
 * IoT Core issuer. It exists only where the devnet module is on the classpath (the function host, the CLI's
 * tests), so the CA code never ships in a Lambda artifact.
 */
@Factory
@Requires(property = "flywheel.certificates.issuer", value = "local-ca")
public class LocalCaIssuerFactory {

    @Singleton
    @Replaces(value = CertificateIssuer.class, factory = DeviceRegistryFactory.class)
    CertificateIssuer localCaIssuer(IotClient iot, @Value("${flywheel.certificates.local-ca.cert}") String caCert,
                                    @Value("${flywheel.certificates.local-ca.key}") String caKey) {
        return new LocalCaCertificateIssuer(iot, LocalCertificateAuthority.load(Path.of(caCert), Path.of(caKey)));
    }
}
