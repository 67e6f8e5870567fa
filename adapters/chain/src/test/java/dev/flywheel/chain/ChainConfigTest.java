package dev.flywheel.chain;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ChainConfigTest {

    @Test
    void defaultsArePolygonFeeFloorAndFastPolling() {
        ChainConfig config = ChainConfig.of("http://127.0.0.1:8545", 137);

        assertEquals(ChainConfig.POLYGON_MIN_PRIORITY_FEE_WEI, config.minPriorityFeeWei());
        assertEquals(Duration.ofMillis(250), config.receiptPollInterval());
        assertNull(config.distributorAddress());
        assertThrows(NullPointerException.class, config::requireDistributorAddress);
    }

    @Test
    void contractAddressesAreValidatedAndLowerCased() {
        ChainConfig config = ChainConfig.of("http://127.0.0.1:8545", 80002)
                .withContracts("0x5FbDB2315678afecb367f032d93F642f64180aa3", "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512");

        assertEquals("0x5fbdb2315678afecb367f032d93f642f64180aa3", config.tokenAddress());
        assertEquals("0xe7f1725e7734ce288f8367e1bb143e90bb3f0512", config.requireDistributorAddress());
        assertThrows(IllegalArgumentException.class, () -> config.withContracts("0x1234", null));
        assertThrows(IllegalArgumentException.class, () -> ChainConfig.of("http://127.0.0.1:8545", 0));
    }
}
