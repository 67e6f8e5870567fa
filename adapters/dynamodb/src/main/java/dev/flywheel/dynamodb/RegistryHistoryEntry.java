package dev.flywheel.dynamodb;

import java.util.Map;

/**
 * One recorded change of a device: an owner binding, a location assertion or a status change, with
 * the signatures that authorised it (the paper trail).
 *
 * @param kind   {@code owner}, {@code location} or {@code status}
 * @param number the change's nonce (owner, location) or status version
 * @param fields the recorded values, as strings
 */
public record RegistryHistoryEntry(String kind, long number, String at, Map<String, String> fields) {
}
