package dev.flywheel.chain;

import java.math.BigInteger;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where and how the settlement transactions go.
 *
 * @param rpcUrl JSON-RPC endpoint (Polygon node, or Anvil on a devnet)
 * @param chainId EIP-155 chain id signed into every transaction (137 Polygon, 80002 Amoy)
 * @param tokenAddress the FLY token (RewardsDistributor itself); null until deployed
 * @param distributorAddress RewardsDistributor; null until deployed
 * @param timelockAddress the TimelockController administering the distributor; null if unknown (only deploy tooling and tests use it)
 * @param minPriorityFeeWei floor under the node's tip suggestion: Polygon nodes reject tips under 25 gwei
 * @param receiptPollInterval how often to ask for a receipt or the finalized block (Polygon makes a block every ~2 s)
 * @param receiptTimeout how long to wait for inclusion before giving up (the journaled transaction stays retryable)
 * @param finalityTimeout how long to wait after inclusion for the {@code finalized} block tag to reach the receipt's block
 * @param stuckAfter how long a sent transaction may wait without a receipt before it is replaced at the same
 *                   nonce with higher fees, if its fees are below the market
 * @param maxFeeCeilingWei the highest max fee per gas a replacement may offer; reaching it raises an alarm instead
 */
public record ChainConfig(
        String rpcUrl,
        long chainId,
        String tokenAddress,
        String distributorAddress,
        String timelockAddress,
        BigInteger minPriorityFeeWei,
        Duration receiptPollInterval,
        Duration receiptTimeout,
        Duration finalityTimeout,
        Duration stuckAfter,
        BigInteger maxFeeCeilingWei) {

    public static final BigInteger POLYGON_MIN_PRIORITY_FEE_WEI = BigInteger.valueOf(25_000_000_000L);
    public static final Duration DEFAULT_RECEIPT_POLL_INTERVAL = Duration.ofMillis(250);
    public static final Duration DEFAULT_RECEIPT_TIMEOUT = Duration.ofMinutes(2);
    public static final Duration DEFAULT_FINALITY_TIMEOUT = Duration.ofMinutes(2);
    /** About 15 Polygon blocks. */
    public static final Duration DEFAULT_STUCK_AFTER = Duration.ofSeconds(30);
    public static final BigInteger DEFAULT_MAX_FEE_CEILING_WEI = BigInteger.valueOf(3_000).multiply(BigInteger.TEN.pow(9));

    private static final Pattern ADDRESS = Pattern.compile("0x[0-9a-fA-F]{40}");

    public ChainConfig {
        Objects.requireNonNull(rpcUrl, "rpcUrl");
        Objects.requireNonNull(minPriorityFeeWei, "minPriorityFeeWei");
        Objects.requireNonNull(receiptPollInterval, "receiptPollInterval");
        Objects.requireNonNull(receiptTimeout, "receiptTimeout");
        Objects.requireNonNull(finalityTimeout, "finalityTimeout");
        Objects.requireNonNull(stuckAfter, "stuckAfter");
        Objects.requireNonNull(maxFeeCeilingWei, "maxFeeCeilingWei");
        if (chainId <= 0) {
            throw new IllegalArgumentException("chainId must be positive: " + chainId);
        }
        tokenAddress = optionalAddress(tokenAddress, "tokenAddress");
        distributorAddress = optionalAddress(distributorAddress, "distributorAddress");
        timelockAddress = optionalAddress(timelockAddress, "timelockAddress");
        if (minPriorityFeeWei.signum() < 0) {
            throw new IllegalArgumentException("minPriorityFeeWei must not be negative");
        }
        if (receiptPollInterval.isNegative() || receiptPollInterval.isZero()) {
            throw new IllegalArgumentException("receiptPollInterval must be positive");
        }
    }

    /** A network with Polygon's fee floor and fast polling, contracts not deployed yet. */
    public static ChainConfig of(String rpcUrl, long chainId) {
        return new ChainConfig(rpcUrl, chainId, null, null, null, POLYGON_MIN_PRIORITY_FEE_WEI,
                DEFAULT_RECEIPT_POLL_INTERVAL, DEFAULT_RECEIPT_TIMEOUT, DEFAULT_FINALITY_TIMEOUT, DEFAULT_STUCK_AFTER,
                DEFAULT_MAX_FEE_CEILING_WEI);
    }

    public ChainConfig withContracts(String tokenAddress, String distributorAddress) {
        return new ChainConfig(rpcUrl, chainId, tokenAddress, distributorAddress, timelockAddress, minPriorityFeeWei,
                receiptPollInterval, receiptTimeout, finalityTimeout, stuckAfter, maxFeeCeilingWei);
    }

    public ChainConfig withContracts(DeployedContracts contracts) {
        return withContracts(contracts.tokenAddress(), contracts.distributorAddress()).withTimelock(contracts.timelockAddress());
    }

    public ChainConfig withTimelock(String timelockAddress) {
        return new ChainConfig(rpcUrl, chainId, tokenAddress, distributorAddress, timelockAddress, minPriorityFeeWei,
                receiptPollInterval, receiptTimeout, finalityTimeout, stuckAfter, maxFeeCeilingWei);
    }

    public ChainConfig withMinPriorityFeeWei(BigInteger minPriorityFeeWei) {
        return new ChainConfig(rpcUrl, chainId, tokenAddress, distributorAddress, timelockAddress, minPriorityFeeWei,
                receiptPollInterval, receiptTimeout, finalityTimeout, stuckAfter, maxFeeCeilingWei);
    }

    /** Replacement policy for stuck transactions: see {@link #stuckAfter()} and {@link #maxFeeCeilingWei()}. */
    public ChainConfig withReplacement(Duration stuckAfter, BigInteger maxFeeCeilingWei) {
        return new ChainConfig(rpcUrl, chainId, tokenAddress, distributorAddress, timelockAddress, minPriorityFeeWei,
                receiptPollInterval, receiptTimeout, finalityTimeout, stuckAfter, maxFeeCeilingWei);
    }

    public ChainConfig withTimeouts(Duration receiptTimeout, Duration finalityTimeout) {
        return new ChainConfig(rpcUrl, chainId, tokenAddress, distributorAddress, timelockAddress, minPriorityFeeWei,
                receiptPollInterval, receiptTimeout, finalityTimeout, stuckAfter, maxFeeCeilingWei);
    }

    String requireTokenAddress() {
        return Objects.requireNonNull(tokenAddress, "ChainConfig.tokenAddress is not set (deploy the contracts first)");
    }

    String requireDistributorAddress() {
        return Objects.requireNonNull(distributorAddress, "ChainConfig.distributorAddress is not set (deploy the contracts first)");
    }

    private static String optionalAddress(String address, String name) {
        if (address == null) {
            return null;
        }
        if (!ADDRESS.matcher(address).matches()) {
            throw new IllegalArgumentException(name + " must be 0x followed by 40 hex digits: " + address);
        }
        return address.toLowerCase(Locale.ROOT);
    }
}
