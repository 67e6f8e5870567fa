package dev.flywheel.core.proof;

/**
 * Why a proof was not credited, as stored with its verdict. The generic codes (envelope, identity, signature, time,
 * replay, rate, location, entropy) are {@link ReasonCode}; a proof type's own codes are an enum in its package,
 * registered through {@link ProofType#reasons()}, so {@link ProofTypes#reason(String)} reads any stored wire value
 * back. docs/reason-codes.md documents every code.
 */
public interface RejectionReason {

    /** The stable wire form, e.g. {@code bad_signature}: what receipts, metrics, the ledger and the demo summary show. */
    String wire();
}
