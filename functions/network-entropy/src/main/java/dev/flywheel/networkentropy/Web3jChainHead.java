package dev.flywheel.networkentropy;

import dev.flywheel.core.crypto.Encoding;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.http.HttpService;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Reads the block at a tag ({@code finalized} by default: on Polygon PoS final in 2-5 s, so the
 * entropy never rests on a block that a reorg could replace) with {@code eth_getBlockByNumber}.
 * The RPC URL is resolved per call (it comes from Secrets Manager and must not sit in a SnapStart snapshot).
 */
public final class Web3jChainHead implements ChainHead {
    private final Supplier<String> rpcUrl;
    private final DefaultBlockParameterName tag;

    /** @param tag {@code finalized}, {@code safe} or {@code latest} */
    public Web3jChainHead(Supplier<String> rpcUrl, String tag) {
        this.rpcUrl = rpcUrl;
        this.tag = switch (tag.strip().toLowerCase(Locale.ROOT)) {
            case "finalized" -> DefaultBlockParameterName.FINALIZED;
            case "safe" -> DefaultBlockParameterName.SAFE;
            case "latest" -> DefaultBlockParameterName.LATEST;
            default -> throw new IllegalArgumentException("block tag must be finalized, safe or latest: " + tag);
        };
    }

    @Override
    public Block head() {
        Web3j web3j = Web3j.build(new HttpService(rpcUrl.get()));
        try {
            EthBlock response = web3j.ethGetBlockByNumber(tag, false).send();
            if (response.hasError()) {
                throw new IllegalStateException("eth_getBlockByNumber(" + tag.getValue() + "): " + response.getError().getMessage());
            }
            EthBlock.Block block = response.getBlock();
            if (block == null || block.getHash() == null) {
                throw new IllegalStateException("the node returned no " + tag.getValue() + " block");
            }
            return new Block(block.getNumber().longValueExact(), Encoding.fromHex(block.getHash()));
        } catch (IOException e) {
            throw new UncheckedIOException("eth_getBlockByNumber(" + tag.getValue() + ") failed: " + e.getMessage(), e);
        } finally {
            web3j.shutdown();
        }
    }
}
