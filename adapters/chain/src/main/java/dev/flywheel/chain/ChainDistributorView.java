package dev.flywheel.chain;

import dev.flywheel.core.claims.DistributorView;
import org.web3j.protocol.Web3j;

import java.math.BigInteger;
import java.util.HexFormat;

/** {@link DistributorView} read from the RewardsDistributor contract. */
public final class ChainDistributorView implements DistributorView {
    private static final HexFormat HEX = HexFormat.of();

    private final RewardsClaimer claimer;

    public ChainDistributorView(Web3j web3j, ChainConfig config) {
        this.claimer = new RewardsClaimer(web3j, config);
    }

    @Override
    public OnChainRoots roots() {
        DistributorState s = claimer.state();
        return new OnChainRoots(s.hasActive() ? hex(s.activeRoot()) : null, s.activeEpoch(),
                s.hasPending() ? hex(s.pendingRoot()) : null, s.pendingEpoch(), s.pendingActivatesAt(), s.paused());
    }

    @Override
    public BigInteger claimed(String account) {
        return claimer.claimedAmount(account);
    }

    private static String hex(byte[] bytes) {
        return "0x" + HEX.formatHex(bytes);
    }
}
