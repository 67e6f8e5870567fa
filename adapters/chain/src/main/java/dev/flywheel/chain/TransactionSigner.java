package dev.flywheel.chain;

import org.web3j.crypto.RawTransaction;

/**
 * Signs transactions for one account, so callers never hold the key: a local key on devnets,
 * AWS KMS (secp256k1, sign the digest, low-s, recovery id) in production.
 */
public interface TransactionSigner {

    /** The signing account, 0x + 40 lower-case hex. */
    String address();

    /** The signed, encoded transaction (EIP-2718 typed envelope), ready for eth_sendRawTransaction. */
    byte[] sign(RawTransaction transaction);
}
