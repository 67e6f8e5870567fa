package dev.flywheel.chain;

/**
 * Addresses of a fresh deployment, lower-case 0x-hex.
 *
 * @param tokenAddress the FLY token: RewardsDistributor is the token, so this equals {@code distributorAddress}
 * @param distributorAddress RewardsDistributor
 * @param timelockAddress FlywheelTimelock, the distributor's only admin
 */
public record DeployedContracts(String tokenAddress, String distributorAddress, String timelockAddress) {
}
