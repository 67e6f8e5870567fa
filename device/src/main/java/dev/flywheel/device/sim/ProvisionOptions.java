package dev.flywheel.device.sim;

import dev.flywheel.core.crypto.SignatureScheme;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How {@link FleetSimulator#provision} makes devices.
 *
 * @param ownerAddresses EVM addresses assigned round-robin (device i gets owner i mod n); empty
 *                       means one fresh random owner address per device
 * @param scheme         proof-signature scheme of every device (default Ed25519)
 * @param idPrefix       device ids are {@code <idPrefix><role>-<nnnn>}; null means
 *                       {@code sim-<6 random hex>-}, unique per provisioning
 * @param h3Anchor       cells are drawn around this cell's res-5 ancestor
 * @param h3Resolution   resolution of the devices' cells (8..12)
 */
public record ProvisionOptions(List<String> ownerAddresses, SignatureScheme scheme, String idPrefix,
                               String h3Anchor, int h3Resolution) {

    public static final Pattern EVM_ADDRESS = Pattern.compile("0x[0-9a-fA-F]{40}");

    public ProvisionOptions {
        ownerAddresses = List.copyOf(ownerAddresses);
        for (String a : ownerAddresses) {
            if (!EVM_ADDRESS.matcher(a).matches()) {
                throw new IllegalArgumentException("owner '" + a + "' is not an EVM address (0x + 40 hex digits)");
            }
        }
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(h3Anchor, "h3Anchor");
        if (h3Resolution < 8 || h3Resolution > 12) {
            throw new IllegalArgumentException("h3Resolution must be 8..12");
        }
    }

    public static ProvisionOptions defaults() {
        return new ProvisionOptions(List.of(), SignatureScheme.ED25519, null, H3Cells.DEFAULT_ANCHOR, 10);
    }

    public ProvisionOptions withOwners(List<String> owners) {
        return new ProvisionOptions(owners, scheme, idPrefix, h3Anchor, h3Resolution);
    }

    public ProvisionOptions withScheme(SignatureScheme s) {
        return new ProvisionOptions(ownerAddresses, s, idPrefix, h3Anchor, h3Resolution);
    }

    public ProvisionOptions withIdPrefix(String prefix) {
        return new ProvisionOptions(ownerAddresses, scheme, prefix, h3Anchor, h3Resolution);
    }

    public ProvisionOptions withH3(String anchor, int resolution) {
        return new ProvisionOptions(ownerAddresses, scheme, idPrefix, anchor, resolution);
    }
}
