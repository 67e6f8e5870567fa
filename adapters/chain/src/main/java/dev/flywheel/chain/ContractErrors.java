package dev.flywheel.chain;

import dev.flywheel.chain.contracts.FlywheelTimelock;
import dev.flywheel.chain.contracts.RewardsDistributor;
import org.web3j.abi.CustomErrorEncoder;
import org.web3j.abi.datatypes.CustomError;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/** Names the custom errors of our contracts by their 4-byte selector, read from the generated wrappers. */
final class ContractErrors {
    private static final Map<String, String> NAME_BY_SELECTOR = selectors(FlywheelTimelock.class, RewardsDistributor.class);

    private ContractErrors() {
    }

    /** The error's name if {@code revertData} starts with a known selector, else null. */
    static String name(String revertData) {
        if (revertData == null || revertData.length() < 10) {
            return null;
        }
        return NAME_BY_SELECTOR.get(revertData.substring(0, 10).toLowerCase(Locale.ROOT));
    }

    private static Map<String, String> selectors(Class<?>... wrappers) {
        Map<String, String> names = new HashMap<>();
        for (Class<?> wrapper : wrappers) {
            for (Field field : wrapper.getFields()) {
                if (field.getType() == CustomError.class && Modifier.isStatic(field.getModifiers())) {
                    try {
                        CustomError error = (CustomError) field.get(null);
                        names.put(CustomErrorEncoder.encode(error).substring(0, 10), error.getName());
                    } catch (IllegalAccessException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        }
        return Map.copyOf(names);
    }
}
