package dev.flywheel.function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flywheel.core.crypto.DeviceSigningKey;
import dev.flywheel.core.crypto.SignatureScheme;
import io.micronaut.context.BeanProvider;
import io.micronaut.context.annotation.Requires;
import io.micronaut.crac.OrderedResource;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.crac.Context;
import org.crac.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * SnapStart priming: before Lambda snapshots an initialised function (CRaC {@code beforeCheckpoint}), touch what
 * the first invocation would otherwise load and compile: the SDK clients (a GetItem and a GetSecretValue run
 * through marshalling, endpoint rules, credentials and SigV4 signing, and stop before the network, see
 * {@link PrimingInterceptor}: nothing is sent, no permission is used), the device signature schemes (sign and
 * verify with a throwaway key per scheme) and Jackson (a JSON round trip). The restored function starts with those
 * classes loaded and warm. {@code flywheel.priming.enabled=false} turns it off; the cold-start benchmark calls
 * {@link #prime()} directly to measure its effect.
 */
@Singleton
@Requires(property = "flywheel.priming.enabled", notEquals = "false")
public class Priming implements OrderedResource {
    private static final Logger LOG = LoggerFactory.getLogger(Priming.class);
    // Providers: micronaut-crac creates every OrderedResource at startup, and a function that never snapshots
    // (SnapStart off, local runs) should not pay for clients it may not use.
    private final BeanProvider<DynamoDbClient> dynamo;
    private final BeanProvider<SecretsManagerClient> secrets;
    // The context's one mapper (JsonMapperSettings): priming a mapper of its own would warm the wrong instance.
    private final BeanProvider<ObjectMapper> json;

    @Inject
    public Priming(BeanProvider<DynamoDbClient> dynamo, BeanProvider<SecretsManagerClient> secrets,
                   BeanProvider<ObjectMapper> json) {
        this.dynamo = dynamo;
        this.secrets = secrets;
        this.json = json;
    }

    /** What was primed; a step that failed is named, never fatal (priming must not stop a deploy). */
    public record Report(List<String> primed, List<String> failed, long millis) {
    }

    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) {
        Report report = prime();
        LOG.info("primed before the snapshot: {} in {} ms{}", report.primed(), report.millis(),
                report.failed().isEmpty() ? "" : "; failed: " + report.failed());
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) {
        // Nothing to undo: priming opened no connection and cached no credentials of its own.
    }

    public Report prime() {
        long start = System.nanoTime();
        List<String> primed = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        step("dynamodb", primed, failed, () -> sdkCall(() -> dynamo.get().getItem(b -> b.tableName("flywheel-priming")
                .key(Map.of("pk", AttributeValue.fromS("priming"))).consistentRead(true))));
        step("secretsmanager", primed, failed, () -> sdkCall(() -> secrets.get().getSecretValue(b -> b.secretId("flywheel-priming"))));
        step("signatures", primed, failed, Priming::signatures);
        step("jackson", primed, failed, () -> jackson(json.get()));
        return new Report(List.copyOf(primed), List.copyOf(failed), (System.nanoTime() - start) / 1_000_000);
    }

    private static void step(String name, List<String> primed, List<String> failed, Runnable action) {
        try {
            action.run();
            primed.add(name);
        } catch (RuntimeException | LinkageError e) {
            failed.add(name + ": " + e);
        }
    }

    private static void sdkCall(Runnable call) {
        PrimingInterceptor.arm(true);
        try {
            call.run();
            throw new IllegalStateException("the priming call was sent: PrimingInterceptor is not on this client");
        } catch (PrimingInterceptor.Stopped expected) {
            // reached the wire and stopped there
        } catch (SdkException e) {
            if (!(e.getCause() instanceof PrimingInterceptor.Stopped)) {
                throw e;
            }
        } finally {
            PrimingInterceptor.arm(false);
        }
    }

    private static void signatures() {
        byte[] message = "flywheel priming".getBytes(StandardCharsets.UTF_8);
        SecureRandom random = new SecureRandom();
        for (SignatureScheme scheme : SignatureScheme.values()) {
            DeviceSigningKey key = DeviceSigningKey.generate(scheme, random);
            if (!scheme.verify(key.publicKey(), message, key.sign(message))) {
                throw new IllegalStateException(scheme + " did not verify its own signature");
            }
        }
    }

    private static void jackson(ObjectMapper json) {
        try {
            JsonNode tree = json.readTree("{\"Records\":[{\"messageId\":\"priming\",\"body\":\"{\\\"payload\\\":\\\"e30=\\\"}\"}]}");
            json.readTree(tree.path("Records").get(0).path("body").asText());
            json.writeValueAsBytes(Map.of("batchItemFailures", List.of()));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
