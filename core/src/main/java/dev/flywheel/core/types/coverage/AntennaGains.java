package dev.flywheel.core.types.coverage;

/**
 * Port: a device's asserted antenna gain in tenths of a dBi (Helium asserts it with the location). The device
 * registry has no gain yet, so the default is 0 dBi for everyone, which makes the RSSI bound stricter for
 * devices with high-gain antennas; plug in the asserted gains when the registry stores them.
 */
@FunctionalInterface
public interface AntennaGains {
    AntennaGains ZERO = deviceId -> 0;

    int gainDeciDbi(String deviceId);
}
