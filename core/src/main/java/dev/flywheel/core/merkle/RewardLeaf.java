package dev.flywheel.core.merkle;

import java.math.BigInteger;
import java.util.Locale;
import java.util.Objects;

/**
 * One leaf of the cumulative rewards tree: an owner's account and everything it has earned since the
 * start (not this epoch's share), so a claim pays the difference to what was already claimed.
 *
 * @param account 0x-prefixed 20-byte address, normalised to lower case
 * @param cumulativeAmount lifetime reward in token base units (18 decimals), a uint256
 */
public record RewardLeaf(String account, BigInteger cumulativeAmount) {

    public RewardLeaf {
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(cumulativeAmount, "cumulativeAmount");
        account = normaliseAccount(account);
        if (cumulativeAmount.signum() < 0) {
            throw new IllegalArgumentException("cumulativeAmount must not be negative: " + cumulativeAmount);
        }
        if (cumulativeAmount.bitLength() > 256) {
            throw new IllegalArgumentException("cumulativeAmount does not fit in uint256: " + cumulativeAmount);
        }
    }

    /** Lower-cases a 0x + 40 hex address; case carries only an optional checksum, never identity. */
    public static String normaliseAccount(String account) {
        // 0x and 40 hex digits, checked by hand rather than by a pattern: a close builds a leaf per owner.
        boolean valid = account.length() == 42 && account.charAt(0) == '0' && account.charAt(1) == 'x';
        boolean lower = true;
        for (int i = 2; valid && i < 42; i++) {
            char c = account.charAt(i);
            valid = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
            lower &= c < 'A' || c > 'F';
        }
        if (!valid) {
            throw new IllegalArgumentException("account must be 0x followed by 40 hex digits: " + account);
        }
        return lower ? account : account.toLowerCase(Locale.ROOT);
    }
}
