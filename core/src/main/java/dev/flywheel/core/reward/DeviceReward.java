package dev.flywheel.core.reward;

import java.math.BigInteger;

/** One device's share of an epoch's emission, in the token's smallest unit. */
public record DeviceReward(String deviceId, String owner, long units, BigInteger amount) {
}
