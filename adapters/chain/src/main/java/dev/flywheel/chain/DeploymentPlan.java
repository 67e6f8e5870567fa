package dev.flywheel.chain;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What a deployment fixes for good: who holds which role, and the emission schedule the contract
 * enforces. The deployer itself gets no role.
 *
 * @param publisher ROOT_PUBLISHER: the settler's key (the KMS key's address in production)
 * @param guardian GUARDIAN: vetoes pending roots and pauses claims (a multisig in production)
 * @param governors proposers and executors of the TimelockController that administers the distributor
 * @param timelockDelay the timelock's minimum delay for role changes and root corrections
 * @param genesis start of epoch 0, as the epoch clock of the network configuration
 * @param epochLength epoch length, whole seconds, as the network configuration
 * @param emissionPerEpoch tokens (base units) scheduled per epoch: the most the contract ever releases per epoch
 * @param activationDelay how long a new root is pending (vetoable) before claims use it; 0 on a devnet
 */
public record DeploymentPlan(String publisher, String guardian, List<String> governors, Duration timelockDelay,
                             Instant genesis, Duration epochLength, BigInteger emissionPerEpoch, Duration activationDelay) {

    public DeploymentPlan {
        Objects.requireNonNull(publisher, "publisher");
        Objects.requireNonNull(guardian, "guardian");
        governors = List.copyOf(governors);
        Objects.requireNonNull(timelockDelay, "timelockDelay");
        Objects.requireNonNull(genesis, "genesis");
        Objects.requireNonNull(epochLength, "epochLength");
        Objects.requireNonNull(emissionPerEpoch, "emissionPerEpoch");
        Objects.requireNonNull(activationDelay, "activationDelay");
        if (governors.isEmpty()) {
            throw new IllegalArgumentException("the timelock needs at least one governor");
        }
        if (epochLength.toMillis() % 1000 != 0 || epochLength.toSeconds() <= 0) {
            throw new IllegalArgumentException("epochLength must be a positive whole number of seconds: " + epochLength);
        }
        if (genesis.getNano() != 0 || genesis.getEpochSecond() < 0) {
            throw new IllegalArgumentException("genesis must be a whole second after 1970: " + genesis);
        }
        if (emissionPerEpoch.signum() <= 0) {
            throw new IllegalArgumentException("emissionPerEpoch must be positive");
        }
    }

    /** A devnet: one local key holds every role, no delays. */
    public static DeploymentPlan devnet(String operator, Instant genesis, Duration epochLength, BigInteger emissionPerEpoch) {
        return new DeploymentPlan(operator, operator, List.of(operator), Duration.ZERO, genesis, epochLength,
                emissionPerEpoch, Duration.ZERO);
    }
}
