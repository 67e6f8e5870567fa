package dev.flywheel.chain;

import dev.flywheel.chain.contracts.FlywheelTimelock;
import dev.flywheel.chain.contracts.RewardsDistributor;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.DynamicArray;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

import java.math.BigInteger;
import java.util.List;
import java.util.Locale;

/**
 * Deploys the TimelockController that administers the distributor, then RewardsDistributor (which
 * is the FLY token too) with the plan's roles and emission schedule. The deployer signs two
 * creations and holds no role afterwards: nothing to renounce. Not idempotent: each call makes a new
 * pair (a devnet and bootstrap tool, not part of settlement).
 */
public final class RewardsContractsDeployer {
    private final TransactionSender sender;

    public RewardsContractsDeployer(Web3j web3j, ChainConfig config) {
        this.sender = new TransactionSender(web3j, config);
    }

    public DeployedContracts deploy(TransactionSigner deployer, DeploymentPlan plan) {
        List<Address> governors = plan.governors().stream().map(Address::new).toList();
        String timelock = deployContract(deployer, FlywheelTimelock.BINARY + FunctionEncoder.encodeConstructor(List.of(
                new Uint256(plan.timelockDelay().toSeconds()),
                new DynamicArray<>(Address.class, governors),
                new DynamicArray<>(Address.class, governors))));
        TransactionReceipt distributorReceipt = sender.sendAndWait(deployer, null, RewardsDistributor.BINARY
                + FunctionEncoder.encodeConstructor(List.of(
                        new Address(timelock),
                        new Address(plan.publisher()),
                        new Address(plan.guardian()),
                        new Uint256(plan.genesis().getEpochSecond()),
                        new Uint256(plan.epochLength().toSeconds()),
                        new Uint256(plan.emissionPerEpoch()),
                        new Uint256(BigInteger.valueOf(plan.activationDelay().toSeconds())))));
        String distributor = distributorReceipt.getContractAddress().toLowerCase(Locale.ROOT);
        // Transactions of one sender are final in nonce order, so the last one covers both.
        sender.awaitFinality(distributorReceipt);
        return new DeployedContracts(distributor, distributor, timelock);
    }

    private String deployContract(TransactionSigner deployer, String initCode) {
        TransactionReceipt receipt = sender.sendAndWait(deployer, null, initCode);
        return receipt.getContractAddress().toLowerCase(Locale.ROOT);
    }
}
