package dev.flywheel.chain;

import dev.flywheel.chain.contracts.FlywheelToken;
import dev.flywheel.chain.contracts.RewardsDistributor;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Address;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.gas.StaticGasProvider;

import java.math.BigInteger;
import java.util.List;
import java.util.Locale;

/**
 * Deploys FlywheelToken and RewardsDistributor, lets the distributor mint, and lets
 * {@code rootPublisher} publish roots. The deployer keeps the admin role of both contracts.
 * Not idempotent: each call makes a new pair (a devnet and bootstrap tool, not part of settlement).
 */
public final class RewardsContractsDeployer {
    private static final StaticGasProvider UNUSED_GAS_PROVIDER = new StaticGasProvider(BigInteger.ZERO, BigInteger.ZERO);

    private final Web3j web3j;
    private final TransactionSender sender;

    public RewardsContractsDeployer(Web3j web3j, ChainConfig config) {
        this.web3j = web3j;
        this.sender = new TransactionSender(web3j, config);
    }

    public DeployedContracts deploy(TransactionSigner deployer, String rootPublisher) {
        String tokenAddress = deployContract(deployer, FlywheelToken.BINARY);
        String distributorAddress = deployContract(deployer,
                RewardsDistributor.BINARY + FunctionEncoder.encodeConstructor(List.of(new Address(tokenAddress))));

        var readonly = new ReadonlyTransactionManager(web3j, deployer.address());
        FlywheelToken token = FlywheelToken.load(tokenAddress, web3j, readonly, UNUSED_GAS_PROVIDER);
        RewardsDistributor distributor = RewardsDistributor.load(distributorAddress, web3j, readonly, UNUSED_GAS_PROVIDER);

        byte[] minterRole = ContractCalls.read(token.MINTER_ROLE(), "MINTER_ROLE()");
        sender.sendAndWait(deployer, tokenAddress, token.grantRole(minterRole, distributorAddress).encodeFunctionCall());
        byte[] publisherRole = ContractCalls.read(distributor.ROOT_PUBLISHER_ROLE(), "ROOT_PUBLISHER_ROLE()");
        TransactionReceipt last = sender.sendAndWait(deployer, distributorAddress,
                distributor.grantRole(publisherRole, rootPublisher).encodeFunctionCall());
        // Transactions of one sender are final in nonce order, so the last one covers all four.
        sender.awaitFinality(last);
        return new DeployedContracts(tokenAddress, distributorAddress);
    }

    private String deployContract(TransactionSigner deployer, String initCode) {
        TransactionReceipt receipt = sender.sendAndWait(deployer, null, initCode);
        return receipt.getContractAddress().toLowerCase(Locale.ROOT);
    }
}
