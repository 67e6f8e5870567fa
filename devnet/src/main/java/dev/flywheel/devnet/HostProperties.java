package dev.flywheel.devnet;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The function properties a devnet host gives every handler for one provisioned stack: what the template's
 * environment variables give the Lambdas on AWS (tables, epoch, network rules, secrets, chain, distributor), plus the
 * host's own URL as IoT Core's data-plane endpoint for receipts.
 */
public final class HostProperties {
    /**
     * How long the devnet's claims API trusts the distributor's roots it read: short, because devnet epochs are seconds
     * long and a root published meanwhile turns the proofs it serves into InvalidProof reverts (AWS keeps 5 s).
     */
    public static final int CLAIMS_ROOTS_CACHE_SECONDS = 1;

    private HostProperties() {
    }

    public static Map<String, Object> forStack(DevnetConfig devnet, DevnetProvisioner.Provisioned provisioned, Instant genesis,
                                               long epochSeconds, int hostPort) {
        Map<String, Object> p = new LinkedHashMap<>();
        provisioned.tables().asEnvironment().forEach((k, v) -> p.put(k.toLowerCase().replace('_', '.'), v));
        p.put("flywheel.epoch.genesis", genesis.toString());
        p.put("flywheel.epoch.seconds", epochSeconds);
        // The network's rules come from the checkout's config/network.json, the file the template packages;
        // only genesis and epoch length are the devnet's own.
        p.put("flywheel.network.config", devnet.repoRoot().resolve("config/network.json").toString());
        p.put("flywheel.late-data.seconds", 2);
        p.put("flywheel.signer.secret-id", provisioned.signerSecretId());
        p.put("flywheel.chain.rpc-secret-id", provisioned.rpcSecretId());
        p.put("flywheel.chain.id", devnet.chainId());
        p.put("flywheel.distributor.address", provisioned.contracts().distributorAddress());
        p.put("flywheel.claims.roots-cache-seconds", CLAIMS_ROOTS_CACHE_SECONDS);
        // The verifier checks coverage beacons against stored entropy and uptime answers against challenges.
        p.put("flywheel.entropy.table", devnet.stackName() + "-entropy");
        p.put("flywheel.challenges.table", devnet.stackName() + "-challenges");
        // Metrics go to CloudWatch through Lambda's stdout; in the devnet they would only drown the output.
        p.put("flywheel.metrics.emf", false);
        p.put("flywheel.iot-data.endpoint", "http://127.0.0.1:" + hostPort);
        return p;
    }

    /**
     * The paper trail on moto's S3, for a host that serves the explorer (the demo, {@code scripts/devnet up}): creates the
     * stack's trail bucket (kept when it exists) and returns the properties that make the verifier write the trail
     * there ({@code flywheel.paper-trail.bucket}, template.yaml's {@code PaperTrailBucket}) and the claims API read it
     * back with the S3 reader ({@code flywheel.explorer.paper-trail=s3}; Athena on AWS). Load runs and most ITs go
     * without, as their measured pipelines always have.
     */
    public static Map<String, Object> paperTrail(DevnetConfig devnet) {
        String bucket = (devnet.stackName() + "-paper-trail").toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9.-]", "-");
        try (var s3 = dev.flywheel.s3.S3VerdictArchive.defaultClient()) {
            s3.createBucket(b -> b.bucket(bucket));
        } catch (software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException kept) {
            // a re-run on the same devnet: the trail so far stays
        }
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("flywheel.paper-trail.bucket", bucket);
        p.put("flywheel.explorer.paper-trail", "s3");
        return p;
    }

    /** A free loopback port, for a host whose port is not configured. */
    public static int freePort() throws java.io.IOException {
        try (var socket = new java.net.ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
