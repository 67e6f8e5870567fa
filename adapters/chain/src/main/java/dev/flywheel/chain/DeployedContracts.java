package dev.flywheel.chain;

/** Addresses of a fresh deployment, lower-case 0x-hex. */
public record DeployedContracts(String tokenAddress, String distributorAddress) {
}
