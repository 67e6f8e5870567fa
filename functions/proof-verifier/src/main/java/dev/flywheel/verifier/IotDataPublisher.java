package dev.flywheel.verifier;

import dev.flywheel.function.IotDataPlanePublisher;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;

import java.net.URI;
import java.time.Clock;

/**
 * The IoT data-plane {@code Publish} client, shared with the other functions ({@link IotDataPlanePublisher}
 * in function-support: SigV4 signing name {@code iotdata}, topic as one percent-encoded path label),
 * as the verifier's receipt port.
 */
public final class IotDataPublisher extends IotDataPlanePublisher implements ReceiptPublisher {

    /** See {@link IotDataPlanePublisher#IotDataPlanePublisher}; {@code http} is closed with this publisher. */
    public IotDataPublisher(URI endpoint, String region, AwsCredentialsProvider credentials, SdkHttpClient http, Clock clock) {
        super(endpoint, region, credentials, http, clock);
    }
}
