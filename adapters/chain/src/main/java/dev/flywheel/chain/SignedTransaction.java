package dev.flywheel.chain;

/**
 * A signed transaction not necessarily sent yet.
 *
 * @param hash 0x-hex transaction hash (keccak256 of {@code raw})
 * @param raw 0x-hex signed bytes
 * @param from sender, lower case
 * @param nonce sender nonce it consumes
 */
public record SignedTransaction(String hash, String raw, String from, long nonce) {
}
