package dev.flywheel.chain;

import org.web3j.protocol.core.RemoteFunctionCall;

/** Runs a read-only wrapper call, turning web3j's checked exceptions into {@link ChainException}. */
final class ContractCalls {
    private ContractCalls() {
    }

    static <T> T read(RemoteFunctionCall<T> call, String what) {
        try {
            return call.send();
        } catch (Exception e) {
            throw new ChainException(what + " failed: " + e.getMessage(), e);
        }
    }
}
