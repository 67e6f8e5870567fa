package dev.flywheel.core.types.energy;

import dev.flywheel.core.crypto.DeviceSigningKey;
import dev.flywheel.core.crypto.SignatureScheme;
import dev.flywheel.core.proof.ProofBody;
import dev.flywheel.core.proof.ProofCodec;
import dev.flywheel.core.proof.RejectionReason;
import dev.flywheel.core.types.sensor.SensorReading;
import dev.flywheel.core.proof.DeviceRecord;
import dev.flywheel.core.proof.DeviceStatus;
import dev.flywheel.core.verify.InboundProof;
import dev.flywheel.core.proof.PlausibilityChecks;
import dev.flywheel.core.proof.PriorProof;
import dev.flywheel.core.proof.ProofTypes;
import dev.flywheel.core.verify.ProofVerifier;
import dev.flywheel.core.proof.ReasonCode;
import dev.flywheel.core.verify.Verdict;
import dev.flywheel.core.verify.VerificationPolicy;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** energy.meter end to end: signed wire bytes through {@link ProofVerifier}, with the previous accepted reading. */
class MeterReadingVerificationTest {
    private static final long H = 3_600_000L;
    private static final Instant START = Instant.parse("2025-11-25T12:00:00Z");
    private static final DeviceSigningKey KEY = DeviceSigningKey.generate(SignatureScheme.SECP256K1_KECCAK256, new SecureRandom());

    private final Map<String, DeviceRecord> registry = Map.of("home-7", new DeviceRecord("home-7",
            SignatureScheme.SECP256K1_KECCAK256, KEY.publicKey(), "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266",
            DeviceStatus.ACTIVE, "8b2a100d2d1bfff"));
    private final Map<String, PriorProof> last = new HashMap<>();
    private final ProofVerifier verifier = new ProofVerifier(id -> Optional.ofNullable(registry.get(id)), id -> false,
            VerificationPolicy.defaults(), PlausibilityChecks.defaults(), ProofTypes.builtIn(),
            (device, type) -> Optional.ofNullable(last.get(device + "/" + type)));
    private long seq;

    /** Publishes the reading when its interval ends (received 2 s later); remembers it when accepted. */
    private Verdict publish(ProofBody body, long proofTime) {
        long s = ++seq;
        byte[] wire = ProofCodec.encode("home-7", s, Instant.ofEpochMilli(proofTime), "8b2a100d2d1bfff", body, KEY);
        Instant received = Instant.ofEpochMilli(proofTime + 2000);
        Verdict v = verifier.verify(new InboundProof("d-" + s, "home-7", received, wire));
        if (v instanceof Verdict.Accepted a) {
            last.put("home-7/" + body.type(), new PriorProof(s, a.proof().deviceTime(), received, a.proof().h3Cell(), body));
        }
        return v;
    }

    private static MeterReading hour(int n, long startWh, long endWh) {
        long t = START.toEpochMilli() + n * H;
        return new MeterReading("daylight.m1", t, t + H, endWh, 5_000, OptionalLong.of(startWh));
    }

    private Verdict.Rejected rejected(RejectionReason expected, Verdict v) {
        Verdict.Rejected r = assertInstanceOf(Verdict.Rejected.class, v);
        assertEquals(expected, r.reason(), r.detail());
        return r;
    }

    @Test
    void aDayOfHourlyReadingsEarnsItsEnergy() {
        long counter = 1_000_000;
        long earned = 0;
        for (int n = 0; n < 24; n++) {
            long produced = n >= 8 && n < 18 ? 3_000 + n * 100 : 0;
            MeterReading r = hour(n, counter, counter + produced);
            Verdict.Accepted a = assertInstanceOf(Verdict.Accepted.class, publish(r, r.endMillis()));
            assertEquals(produced, a.workUnits());
            earned += a.workUnits();
            counter += produced;
        }
        assertEquals(counter - 1_000_000, earned);
    }

    @Test
    void findingsAgainstThePreviousReading() {
        MeterReading first = hour(0, 1_000, 4_000);
        assertInstanceOf(Verdict.Accepted.class, publish(first, first.endMillis()));

        // A meter reset to 0.
        MeterReading reset = hour(1, 0, 2_000);
        Verdict.Rejected r = rejected(EnergyReason.COUNTER_DECREASED, publish(reset, reset.endMillis()));
        assertEquals(4_000L, r.evidence().get("priorEnergyWh"));
        assertEquals(1L, r.evidence().get("priorSequence"));

        // The first hour again under a new seq.
        rejected(EnergyReason.OVERLAPPING_INTERVAL, publish(first, first.endMillis() + 10_000));

        // 6 kWh in an hour from a 5 kW installation.
        MeterReading tooMuch = hour(1, 4_000, 10_000);
        Verdict.Rejected p = rejected(EnergyReason.POWER_ABOVE_CAPACITY, publish(tooMuch, tooMuch.endMillis()));
        assertEquals("interval", p.evidence().get("basis"));
        assertEquals(5_000L, p.evidence().get("limitW"));

        // Interval reported before it ended.
        MeterReading early = hour(1, 4_000, 5_000);
        Verdict.Rejected i = rejected(ReasonCode.INTERVAL_INVALID, publish(early, early.endMillis() - 1));
        assertEquals(early.endMillis() - 1, i.evidence().get("proofTimeMillis"));

        // After a three-hour gap the next reading is accepted and earns only its own hour.
        MeterReading afterGap = hour(4, 9_000, 12_000);
        Verdict.Accepted a = assertInstanceOf(Verdict.Accepted.class, publish(afterGap, afterGap.endMillis()));
        assertEquals(3_000, a.workUnits());
    }

    @Test
    void theEnvelopeTimeStillGovernsFreshness() {
        MeterReading r = hour(0, 0, 100);
        byte[] wire = ProofCodec.encode("home-7", 1, Instant.ofEpochMilli(r.endMillis()), null, r, KEY);
        Verdict v = verifier.verify(new InboundProof("d", "home-7", Instant.ofEpochMilli(r.endMillis() + 600_001), wire));
        rejected(ReasonCode.STALE, v);
    }

    @Test
    void typesAreIndependent() {
        MeterReading first = hour(0, 1_000, 4_000);
        assertInstanceOf(Verdict.Accepted.class, publish(first, first.endMillis()));
        // A sensor proof neither sees nor disturbs the meter history.
        assertInstanceOf(Verdict.Accepted.class, publish(new SensorReading("temperature", 20, "celsius"), first.endMillis() + 5_000));
        MeterReading next = hour(1, 4_000, 5_000);
        assertEquals(List.of(EnergyReason.OVERLAPPING_INTERVAL), List.of(rejected(EnergyReason.OVERLAPPING_INTERVAL,
                publish(hour(0, 4_000, 4_500), next.endMillis())).reason()));
        assertInstanceOf(Verdict.Accepted.class, publish(next, next.endMillis()));
    }
}
