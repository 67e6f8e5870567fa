package dev.flywheel.core.proof;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reason codes: the generic {@link ReasonCode}s plus each registered proof type's own enum, declared in the type's
 * package, each wire value claimed once across all of them, read back by {@link ProofTypes#reason}, and documented.
 */
class ReasonCodesTest {

    private static List<RejectionReason> declared() {
        List<RejectionReason> all = new ArrayList<>(List.of(ReasonCode.values()));
        for (String wireType : ProofTypes.builtIn().wireTypes()) {
            all.addAll(typeOf(wireType).reasons());
        }
        return all;
    }

    private static ProofType<?> typeOf(String wireType) {
        // The services file is the registration: read it as ProofTypes does.
        for (ProofType<?> t : java.util.ServiceLoader.load(ProofType.class)) {
            if (t.wireType().equals(wireType)) {
                return t;
            }
        }
        throw new AssertionError("not registered: " + wireType);
    }

    @Test
    void everyWireCodeIsClaimedOnceAcrossTheGenericCodesAndAllRegisteredTypes() {
        Map<String, RejectionReason> byWire = new HashMap<>();
        for (RejectionReason r : declared()) {
            RejectionReason before = byWire.putIfAbsent(r.wire(), r);
            // Two types of one package (coverage.beacon, coverage.witness) register the same enum: the same constant.
            assertTrue(before == null || before == r, () -> r.wire() + " is declared by " + before.getClass().getName()
                    + " and " + r.getClass().getName());
            assertTrue(r.wire().matches("[a-z][a-z0-9_]*"), r.wire());
        }
        assertEquals(byWire.size(), ProofTypes.reasons().size(), "the registry holds every declared code once");
        byWire.forEach((wire, r) -> assertSame(r, ProofTypes.reason(wire).orElseThrow(), wire));
        assertTrue(ProofTypes.reason("no_such_code").isEmpty());
    }

    @Test
    void aTypesOwnCodesLiveInItsOwnPackage() {
        for (String wireType : ProofTypes.builtIn().wireTypes()) {
            ProofType<?> t = typeOf(wireType);
            for (RejectionReason r : t.reasons()) {
                assertEquals(t.getClass().getPackageName(), r.getClass().getPackageName(), wireType + ": " + r.wire());
            }
        }
        assertTrue(ProofTypes.reason("session_reused").isPresent(), "bandwidth.receipt's own codes are registered");
        assertTrue(ProofTypes.reason("stuck_value").isPresent(), "sensor.reading's own codes are registered");
    }

    @Test
    void everyWireCodeIsDocumented() throws IOException {
        // Surefire runs in the module directory; skip when the docs are not next to it (e.g. a packaged test jar).
        Path doc = Path.of("..", "docs", "reason-codes.md");
        Assumptions.assumeTrue(Files.exists(doc), "docs/reason-codes.md not found");
        String text = Files.readString(doc);
        List<String> missing = declared().stream().map(RejectionReason::wire).distinct()
                .filter(w -> !text.contains("| `" + w + "` |")).toList();
        assertEquals(List.of(), missing, "codes without a row in docs/reason-codes.md");
    }
}
