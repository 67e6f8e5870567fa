package dev.flywheel.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flywheel.core.onboarding.OnboardingRules;
import dev.flywheel.dynamodb.DynamoDenylist;
import dev.flywheel.dynamodb.DynamoOnboardingRegistry;
import dev.flywheel.iot.CertificateIssuer;
import dev.flywheel.iot.IotCoreCertificateIssuer;
import dev.flywheel.iot.IotDeviceProvisioner;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Value;
import io.micronaut.context.exceptions.ConfigurationException;
import jakarta.inject.Singleton;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.iot.IotClient;

import java.time.Clock;
import java.time.Duration;

/**
 * Wiring of the device registry. Properties (environment variable in brackets):
 * <ul>
 *   <li>{@code flywheel.devices.table} ({@code FLYWHEEL_DEVICES_TABLE})</li>
 *   <li>{@code flywheel.chain.id} ({@code FLYWHEEL_CHAIN_ID}): the chain id owner signatures must name</li>
 *   <li>{@code flywheel.iot.device-policy} ({@code FLYWHEEL_IOT_DEVICE_POLICY}): policy attached to each certificate</li>
 *   <li>{@code flywheel.certificates.issuer} = {@code iot-core} (default; AWS) | {@code local-ca} (devnet only: the
 *       devnet module's LocalCaIssuerFactory, with {@code flywheel.certificates.local-ca.cert} / {@code .key})</li>
 *   <li>{@code flywheel.location.min-interval-seconds} (default 86400): location re-assertion rate limit</li>
 * </ul>
 */
@Factory
public class DeviceRegistryFactory {

    @Singleton
    IotClient iotClient() {
        return IotClient.builder().httpClient(UrlConnectionHttpClient.create()).build();
    }

    /**
     * IoT Core signs the CSRs. {@code local-ca} (the devnet CA) is provided by the devnet module's
     * {@code LocalCaIssuerFactory}, which replaces this bean where that module is on the classpath; it is not
     * part of this function's artifact, so asking for it here is a configuration error.
     */
    @Singleton
    CertificateIssuer certificateIssuer(IotClient iot, @Value("${flywheel.certificates.issuer:iot-core}") String kind) {
        return switch (kind) {
            case "iot-core" -> new IotCoreCertificateIssuer(iot);
            case "local-ca" -> throw new ConfigurationException("flywheel.certificates.issuer=local-ca is the devnet's issuer "
                    + "(module devnet, LocalCaIssuerFactory) and is not in this artifact; use iot-core");
            default -> throw new ConfigurationException("flywheel.certificates.issuer must be iot-core (or local-ca on the devnet), not " + kind);
        };
    }

    @Singleton
    IotDeviceProvisioner provisioner(IotClient iot, CertificateIssuer issuer,
                                     @Value("${flywheel.iot.device-policy}") String policy) {
        return new IotDeviceProvisioner(iot, issuer, policy);
    }

    @Singleton
    DynamoOnboardingRegistry onboardingRegistry(DynamoDbClient dynamo, @Value("${flywheel.devices.table}") String table) {
        return new DynamoOnboardingRegistry(dynamo, table);
    }

    @Singleton
    OnboardingRules onboardingRules(@Value("${flywheel.chain.id}") long chainId,
                                    @Value("${flywheel.location.min-interval-seconds:86400}") long minIntervalSeconds) {
        return new OnboardingRules(chainId, Duration.ofSeconds(minIntervalSeconds));
    }

    @Singleton
    DeviceRegistryService service(DynamoOnboardingRegistry registry, IotDeviceProvisioner provisioner, OnboardingRules rules,
                                  ObjectMapper json) {
        return new DeviceRegistryService(registry, provisioner, rules, Clock.systemUTC(), json);
    }

    @Singleton
    DenylistService denylistService(DynamoDbClient dynamo, @Value("${flywheel.devices.table}") String table, ObjectMapper json) {
        return new DenylistService(new DynamoDenylist(dynamo, table), Clock.systemUTC(), json);
    }
}
