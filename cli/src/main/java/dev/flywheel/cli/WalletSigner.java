package dev.flywheel.cli;

import org.web3j.crypto.Credentials;
import org.web3j.crypto.Sign;

import java.util.HexFormat;

/** Signs a 32-byte EIP-712 digest as a wallet does ({@code eth_signTypedData_v4}): r || s || v, v = 27/28. */
final class WalletSigner {
    private WalletSigner() {
    }

    static String sign(Credentials credentials, byte[] digest32) {
        Sign.SignatureData sig = Sign.signMessage(digest32, credentials.getEcKeyPair(), false);
        byte[] out = new byte[65];
        System.arraycopy(sig.getR(), 0, out, 0, 32);
        System.arraycopy(sig.getS(), 0, out, 32, 32);
        out[64] = sig.getV()[0];
        return "0x" + HexFormat.of().formatHex(out);
    }
}
