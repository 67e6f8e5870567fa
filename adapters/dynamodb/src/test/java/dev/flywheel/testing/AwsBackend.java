package dev.flywheel.testing;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.localstack.LocalStackContainer;
import org.testcontainers.utility.DockerImageName;

import java.net.URI;
import java.util.Locale;

/**
 * Which AWS stand-in the integration tests talk to, chosen once per test JVM and printed with the reason:
 * <ul>
 *   <li>{@code LOCALSTACK}: LocalStack Community in a container (Testcontainers), image {@value #LOCALSTACK_IMAGE},
 *       when a Docker engine answers. Community images up to 4.14 run without an auth token (later ones need a
 *       paid one); LocalStack's IoT Core is Pro-only, so Mosquitto stays the broker either way.</li>
 *   <li>{@code MOTO}: the devnet's moto_server ({@code AWS_ENDPOINT_URL} from {@code .devnet/env}, as
 *       {@code scripts/test} sets it) when no Docker engine answers, as on the project's build machines.</li>
 * </ul>
 * {@code FLYWHEEL_TEST_AWS=auto} (default), {@code moto} or {@code localstack} (fails without a Docker engine).
 * With LocalStack, the SDK-wide system property {@code aws.endpointUrl} points every client the code under test
 * builds (the functions' own, from the default chain) at the container; Anvil and Mosquitto still come from the
 * devnet.
 */
public final class AwsBackend {
    /** Pinned: the newest community tag that needs no auth token. */
    public static final String LOCALSTACK_IMAGE = "localstack/localstack:4.14.0";

    public enum Kind { MOTO, LOCALSTACK }

    /** {@code iotEndpoint}: the IoT control plane's, moto's in both cases (LocalStack Community has no IoT). */
    public record Choice(Kind kind, URI endpoint, URI iotEndpoint, String reason) {
    }

    private static Choice chosen;
    private static LocalStackContainer container;

    private AwsBackend() {
    }

    /** The back end of this JVM's integration tests; the first call decides and prints the choice. */
    public static synchronized Choice choose() {
        if (chosen == null) {
            chosen = decide();
            System.out.printf("[aws-backend] %s at %s: %s%n", chosen.kind().name().toLowerCase(Locale.ROOT),
                    chosen.endpoint(), chosen.reason());
        }
        return chosen;
    }

    /** Whether a Docker engine answers, and if not, why (for skip messages). */
    public static String dockerProblem() {
        try {
            return DockerClientFactory.instance().isDockerAvailable() ? null : "no Docker engine answered (Testcontainers found none)";
        } catch (RuntimeException | LinkageError e) {
            return "no Docker engine answered: " + e;
        }
    }

    private static Choice decide() {
        String mode = System.getenv().getOrDefault("FLYWHEEL_TEST_AWS", "auto").strip().toLowerCase(Locale.ROOT);
        switch (mode) {
            case "moto" -> {
                URI moto = MotoDynamo.motoEndpoint();
                return new Choice(Kind.MOTO, moto, moto, "FLYWHEEL_TEST_AWS=moto");
            }
            case "localstack" -> {
                String problem = dockerProblem();
                if (problem != null) {
                    throw new IllegalStateException("FLYWHEEL_TEST_AWS=localstack, but " + problem);
                }
                return localStack("FLYWHEEL_TEST_AWS=localstack");
            }
            case "auto" -> {
                String problem = dockerProblem();
                if (problem == null) {
                    return localStack("a Docker engine answered (FLYWHEEL_TEST_AWS=auto; set moto to use moto_server)");
                }
                URI moto = MotoDynamo.motoEndpoint();
                return new Choice(Kind.MOTO, moto, moto,
                        "LocalStack not used, " + problem + "; moto_server from AWS_ENDPOINT_URL instead");
            }
            default -> throw new IllegalStateException("FLYWHEEL_TEST_AWS must be auto, moto or localstack, not " + mode);
        }
    }

    private static Choice localStack(String reason) {
        URI moto = MotoDynamo.motoEndpoint();
        container = new LocalStackContainer(DockerImageName.parse(LOCALSTACK_IMAGE))
                .withServices("dynamodb", "sqs", "secretsmanager", "kms", "sts", "iam");
        container.start();
        URI endpoint = container.getEndpoint();
        // Read by every SDK client built from the default chain, ahead of AWS_ENDPOINT_URL from the devnet env.
        System.setProperty("aws.endpointUrl", endpoint.toString());
        // LocalStack Community has no IoT Core: the IoT control plane (things, certificates) stays on moto.
        System.setProperty("aws.endpointUrlIot", moto.toString());
        System.setProperty("aws.region", container.getRegion());
        System.setProperty("aws.accessKeyId", container.getAccessKey());
        System.setProperty("aws.secretAccessKey", container.getSecretKey());
        Runtime.getRuntime().addShutdownHook(new Thread(container::stop, "localstack-stop"));
        return new Choice(Kind.LOCALSTACK, endpoint, moto, reason + "; image " + LOCALSTACK_IMAGE + "; IoT control plane on moto at " + moto);
    }
}
