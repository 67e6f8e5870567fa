package dev.flywheel.verifier;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;

/**
 * Receipts to devices through the IoT data plane. {@code flywheel.iot-data.endpoint}
 * ({@code FLYWHEEL_IOT_DATA_ENDPOINT}): on AWS the account's {@code iot:Data-ATS} endpoint
 * ({@code https://xxxx-ats.iot.<region>.amazonaws.com}), on the devnet the local function host's URL;
 * blank turns receipts off. The signing region is the one in the endpoint host, else the SDK's region chain.
 */
@Factory
public class ReceiptsFactory {
    private static final Logger LOG = LoggerFactory.getLogger(ReceiptsFactory.class);

    /** Which verdicts get a receipt: {@code all} (default), {@code rejections} or {@code none} ({@link ReceiptMode}). */
    @Singleton
    ReceiptMode receiptMode(@Value("${flywheel.receipts.mode:all}") String mode) {
        return ReceiptMode.parse(mode);
    }

    @Singleton
    @Bean(preDestroy = "close")
    ReceiptSender receiptSender(ObjectMapper json, @Value("${flywheel.iot-data.endpoint:}") String endpoint,
                                @Value("${flywheel.receipts.concurrency:8}") int concurrency,
                                @Value("${flywheel.receipts.deadline-millis:5000}") long deadlineMillis) {
        if (endpoint == null || endpoint.isBlank()) {
            LOG.info("receipts are off: flywheel.iot-data.endpoint (FLYWHEEL_IOT_DATA_ENDPOINT) is not set");
            return ReceiptSender.disabled();
        }
        URI uri = URI.create(endpoint.strip());
        String region = IotDataPublisher.regionOf(uri).orElseGet(() -> new DefaultAwsRegionProviderChain().getRegion().id());
        var http = UrlConnectionHttpClient.builder()
                .connectionTimeout(Duration.ofSeconds(2))
                .socketTimeout(Duration.ofSeconds(3))
                .build();
        var publisher = new IotDataPublisher(uri, region, DefaultCredentialsProvider.builder().build(), http, Clock.systemUTC());
        LOG.info("receipts go to {} (region {}, {} at a time)", uri, region, concurrency);
        return new ReceiptSender(publisher, json, concurrency, Duration.ofMillis(deadlineMillis));
    }
}
