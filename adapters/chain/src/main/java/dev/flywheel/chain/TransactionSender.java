package dev.flywheel.chain;

import org.web3j.crypto.Hash;
import org.web3j.crypto.RawTransaction;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.core.methods.response.EthEstimateGas;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.utils.Numeric;

import java.io.IOException;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The transaction steps, kept separate so that a caller (RootPublisher) can journal between
 * signing and broadcasting: nonce, fees, gas estimate, sign, broadcast, wait for the receipt with
 * fast polling, wait for finality. Stateless; the nonce comes from the node's pending count, so
 * each key must have a single sender at a time.
 */
public final class TransactionSender {
    /** Estimates can fall short when state moves between estimation and inclusion. */
    private static final int GAS_HEADROOM_PERCENT = 20;

    private final Web3j web3j;
    private final ChainConfig config;

    public TransactionSender(Web3j web3j, ChainConfig config) {
        this.web3j = Objects.requireNonNull(web3j, "web3j");
        this.config = Objects.requireNonNull(config, "config");
    }

    /** Signs, sends, and waits for the receipt; throws if the transaction reverted. For calls whose repetition is harmless or checked on chain. */
    public TransactionReceipt sendAndWait(TransactionSigner signer, String to, String data) {
        SignedTransaction tx = sign(signer, pendingNonce(signer.address()), to, data);
        broadcast(tx);
        TransactionReceipt receipt = awaitReceipt(tx.hash());
        if (!receipt.isStatusOK()) {
            throw new ContractRevertedException("transaction " + tx.hash() + " reverted in block " + receipt.getBlockNumber(), null, null);
        }
        return receipt;
    }

    /** Nonce of {@code address} as of the latest block: transactions actually mined. */
    public long minedNonce(String address) {
        return rpc(web3j.ethGetTransactionCount(address, DefaultBlockParameterName.LATEST), "eth_getTransactionCount")
                .getTransactionCount().longValueExact();
    }

    /** Next nonce of {@code address}, counting its transactions still in the node's pool. */
    public long pendingNonce(String address) {
        return rpc(web3j.ethGetTransactionCount(address, DefaultBlockParameterName.PENDING), "eth_getTransactionCount")
                .getTransactionCount().longValueExact();
    }

    /** Fees for a transaction sent now: see {@link Eip1559Fees#of}. */
    public Eip1559Fees currentFees() {
        EthBlock.Block latest = rpc(web3j.ethGetBlockByNumber(DefaultBlockParameterName.LATEST, false), "eth_getBlockByNumber").getBlock();
        BigInteger suggestedTip = rpc(web3j.ethMaxPriorityFeePerGas(), "eth_maxPriorityFeePerGas").getMaxPriorityFeePerGas();
        return Eip1559Fees.of(latest.getBaseFeePerGas(), suggestedTip, config.minPriorityFeeWei());
    }

    /**
     * Estimates gas, plus headroom. A call that would revert fails here, before anything is signed.
     *
     * @param to contract address, or null for a deployment
     * @throws ContractRevertedException if the call reverts
     */
    public BigInteger estimateGas(String from, String to, String data) {
        EthEstimateGas response = send(web3j.ethEstimateGas(Transaction.createEthCallTransaction(from, to, data)), "eth_estimateGas");
        if (response.hasError()) {
            Response.Error error = response.getError();
            // JSON-RPC code 3 is "execution reverted"; others (e.g. insufficient funds) are not the contract's doing.
            if (error.getCode() != 3 && !String.valueOf(error.getMessage()).contains("revert")) {
                throw new ChainException("eth_estimateGas failed: " + error.getMessage());
            }
            String revertData = revertData(error);
            throw new ContractRevertedException("call reverted in gas estimation: " + error.getMessage(),
                    ContractErrors.name(revertData), revertData);
        }
        BigInteger estimate = response.getAmountUsed();
        return estimate.multiply(BigInteger.valueOf(100 + GAS_HEADROOM_PERCENT)).divide(BigInteger.valueOf(100));
    }

    /** Builds and signs an EIP-1559 transaction at {@code nonce}, with estimated gas and current fees. Sends nothing. */
    public SignedTransaction sign(TransactionSigner signer, long nonce, String to, String data) {
        return sign(signer, nonce, to, data, currentFees());
    }

    /** As {@link #sign(TransactionSigner, long, String, String)} with the given fees: for a replacement at the same nonce. */
    public SignedTransaction sign(TransactionSigner signer, long nonce, String to, String data, Eip1559Fees fees) {
        BigInteger gasLimit = estimateGas(signer.address(), to, data);
        RawTransaction raw = RawTransaction.createTransaction(config.chainId(), BigInteger.valueOf(nonce), gasLimit,
                to, BigInteger.ZERO, data, fees.maxPriorityFeePerGas(), fees.maxFeePerGas());
        byte[] signed = signer.sign(raw);
        return new SignedTransaction(Numeric.toHexString(Hash.sha3(signed)), Numeric.toHexString(signed), signer.address(), nonce);
    }

    /**
     * Sends the signed bytes. Sending bytes the node already has is fine (a rebroadcast after a
     * crash); any other rejection throws, e.g. when the nonce was taken by another transaction.
     */
    public void broadcast(SignedTransaction tx) {
        Response<?> response = send(web3j.ethSendRawTransaction(tx.raw()), "eth_sendRawTransaction");
        if (response.hasError() && !isKnown(tx.hash())) {
            throw new ChainException("node rejected transaction " + tx.hash() + " (nonce " + tx.nonce() + "): "
                    + response.getError().getMessage());
        }
    }

    /** True if the node has the transaction, pending or mined. */
    public boolean isKnown(String txHash) {
        return rpc(web3j.ethGetTransactionByHash(txHash), "eth_getTransactionByHash").getTransaction().isPresent();
    }

    public Optional<TransactionReceipt> findReceipt(String txHash) {
        return rpc(web3j.ethGetTransactionReceipt(txHash), "eth_getTransactionReceipt").getTransactionReceipt();
    }

    /** Polls every {@link ChainConfig#receiptPollInterval()} until included (web3j's default waits 15 s between polls). */
    public TransactionReceipt awaitReceipt(String txHash) {
        long deadline = System.nanoTime() + config.receiptTimeout().toNanos();
        while (true) {
            Optional<TransactionReceipt> receipt = findReceipt(txHash);
            if (receipt.isPresent()) {
                return receipt.get();
            }
            if (System.nanoTime() > deadline) {
                throw new ChainException("no receipt for " + txHash + " after " + config.receiptTimeout());
            }
            pause(config.receiptPollInterval());
        }
    }

    /**
     * Waits until the {@code finalized} block reaches the receipt's block (Polygon: 2-5 s), then
     * returns the receipt as seen at that point, following it if a reorg moved it to another block.
     *
     * @throws ChainException if it times out, or the transaction left the chain in a reorg
     *         (it is back in the pool or dropped; a retry will rebroadcast it)
     */
    public TransactionReceipt awaitFinality(TransactionReceipt receipt) {
        long deadline = System.nanoTime() + config.finalityTimeout().toNanos();
        TransactionReceipt current = receipt;
        while (true) {
            if (finalizedBlockNumber().compareTo(current.getBlockNumber()) >= 0) {
                TransactionReceipt seen = findReceipt(current.getTransactionHash()).orElseThrow(() -> new ChainException(
                        "transaction " + receipt.getTransactionHash() + " was reorganised out before finality"));
                if (seen.getBlockHash().equals(current.getBlockHash())) {
                    return seen;
                }
                current = seen;
                continue;
            }
            if (System.nanoTime() > deadline) {
                throw new ChainException("block " + current.getBlockNumber() + " not finalized after " + config.finalityTimeout());
            }
            pause(config.receiptPollInterval());
        }
    }

    public BigInteger finalizedBlockNumber() {
        return rpc(web3j.ethGetBlockByNumber(DefaultBlockParameterName.FINALIZED, false), "eth_getBlockByNumber(finalized)")
                .getBlock().getNumber();
    }

    /** web3j keeps {@code error.data} as raw JSON, so a hex string arrives with its quotes. */
    private static String revertData(Response.Error error) {
        String data = error.getData();
        if (data != null && data.length() >= 2 && data.startsWith("\"") && data.endsWith("\"")) {
            data = data.substring(1, data.length() - 1);
        }
        return data != null && data.startsWith("0x") ? data : null;
    }

    private static <T extends Response<?>> T send(Request<?, T> request, String method) {
        try {
            return request.send();
        } catch (IOException e) {
            throw new ChainException(method + " failed: " + e.getMessage(), e);
        }
    }

    private static <T extends Response<?>> T rpc(Request<?, T> request, String method) {
        T response = send(request, method);
        if (response.hasError()) {
            throw new ChainException(method + " failed: " + response.getError().getMessage());
        }
        return response;
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ChainException("interrupted while waiting for the chain", e);
        }
    }
}
