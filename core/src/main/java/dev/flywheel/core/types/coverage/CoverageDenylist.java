package dev.flywheel.core.types.coverage;

/**
 * Port: operator bans specific to coverage. A denylisted device is already rejected by the verifier at the
 * identity stage; this port covers what only the window can see: a device denylisted after its report was
 * accepted ({@code denylisted}) and banned beaconer/witness pairs ({@code banned_pair}), e.g. a known ring.
 */
public interface CoverageDenylist {
    CoverageDenylist NONE = new CoverageDenylist() {
    };

    default boolean deviceDenied(String deviceId) {
        return false;
    }

    default boolean pairBanned(String beaconerId, String witnessId) {
        return false;
    }
}
