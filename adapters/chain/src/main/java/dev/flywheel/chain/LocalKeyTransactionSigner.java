package dev.flywheel.chain;

import org.web3j.crypto.Credentials;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;

import java.util.Locale;

/** Signs with a key held in memory: for devnets and tests, never for the production publisher. */
public final class LocalKeyTransactionSigner implements TransactionSigner {
    private final Credentials credentials;

    public LocalKeyTransactionSigner(Credentials credentials) {
        this.credentials = credentials;
    }

    @Override
    public String address() {
        return credentials.getAddress().toLowerCase(Locale.ROOT);
    }

    @Override
    public byte[] sign(RawTransaction transaction) {
        // EIP-1559 transactions carry their chain id inside, so this signs exactly what is given.
        return TransactionEncoder.signMessage(transaction, credentials);
    }
}
