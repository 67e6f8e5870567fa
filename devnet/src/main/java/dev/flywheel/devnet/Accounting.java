package dev.flywheel.devnet;

import dev.flywheel.core.reward.DeviceReward;
import dev.flywheel.dynamodb.DynamoEpochLedger;
import dev.flywheel.dynamodb.DynamoProofLedger;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The books after a devnet run, checked against what the fleet published: every delivered message has exactly one
 * verdict (accepted, or rejected with a reason), every proof the fleet published is found, each device's reward in
 * each closed epoch is for exactly the units its accepted proofs earned there, and each owner's cumulative balance is
 * exactly the sum of its devices' epoch rewards (nobody paid twice). A run fails when {@link Report#ok()} is false.
 */
public final class Accounting {

    private Accounting() {
    }

    /**
     * @param lost            published proof copies (by proof id) without a verdict
     * @param duplicated      deliveries with more than one verdict, a proof accepted twice, extra verdicts for a proof
     *                        that are not rejections, plus verdicts for proofs nobody published
     * @param redelivered     extra copies of a published proof that the transport delivered again (MQTT QoS 1, a resent
     *                        SQS batch), each rejected (an accepted proof's copy as {@code replayed}): normal at-least-once
     *                        delivery, not a fault
     * @param unexplained     rejections without a reason code
     * @param unitMismatches  (device, epoch) pairs whose rewarded units differ from the units of its accepted proofs
     * @param doublePaid      owners whose cumulative balance differs from the sum of their devices' rewards, plus
     *                        devices rewarded twice in one epoch
     * @param problems        the first few findings, for the log
     */
    public record Report(long published, long verdicts, long accepted, long rejected, long epochsChecked,
                         long devicesRewarded, long ownersChecked, long lost, long duplicated, long redelivered,
                         long unexplained, long unitMismatches, long doublePaid, List<String> problems) {
        public boolean ok() {
            return lost == 0 && duplicated == 0 && unexplained == 0 && unitMismatches == 0 && doublePaid == 0;
        }

        public String summary() {
            return "%s: %d published, %d verdicts (%d accepted, %d rejected), %d lost, %d duplicated, %d without reason, %d copies delivered twice and rejected; "
                    .formatted(ok() ? "books balance" : "BOOKS DO NOT BALANCE", published, verdicts, accepted, rejected,
                            lost, duplicated, unexplained, redelivered)
                    + "%d epochs, %d device rewards, %d owners checked: %d unit mismatches, %d paid twice"
                    .formatted(epochsChecked, devicesRewarded, ownersChecked, unitMismatches, doublePaid);
        }
    }

    /**
     * @param publishedByProofId the fleet's acknowledged, delivered publishes per proof id (a replayer's copies count
     *                           each); the devices' own run report
     * @param epochs             the closed epochs to check, oldest first; the last one's cumulative balances are the
     *                           owners' totals (cumulative since genesis)
     */
    public static Report check(Map<String, Integer> publishedByProofId, DynamoProofLedger proofs, DynamoEpochLedger ledger,
                               List<Long> epochs) {
        List<String> problems = new ArrayList<>();
        List<DynamoProofLedger.VerdictRecord> verdicts = proofs.scanVerdicts();

        Map<String, Integer> perDelivery = new HashMap<>();
        Map<String, Integer> perProof = new HashMap<>();
        Map<String, Integer> acceptedPerProof = new HashMap<>();
        Map<String, Integer> rejectedPerProof = new HashMap<>();
        long accepted = 0;
        long unexplained = 0;
        // (device, epoch) -> units its accepted proofs earned
        Map<String, Map<Long, Long>> earned = new HashMap<>();
        for (DynamoProofLedger.VerdictRecord v : verdicts) {
            perDelivery.merge(v.deliveryId(), 1, Integer::sum);
            if (v.proofId() != null) {
                perProof.merge(v.proofId(), 1, Integer::sum);
            }
            if (v.proofId() != null && !"accepted".equals(v.outcome())) {
                rejectedPerProof.merge(v.proofId(), 1, Integer::sum);
            }
            if ("accepted".equals(v.outcome())) {
                accepted++;
                if (v.proofId() != null && acceptedPerProof.merge(v.proofId(), 1, Integer::sum) > 1) {
                    note(problems, "proof " + v.proofId() + " accepted twice");
                }
                long units = Long.parseLong(v.evidence().getOrDefault("workUnits", "0"));
                earned.computeIfAbsent(v.deviceId(), d -> new TreeMap<>()).merge(v.epoch(), units, Long::sum);
            } else if (v.reason() == null || v.reason().isBlank()) {
                unexplained++;
                note(problems, "rejection without a reason: delivery " + v.deliveryId());
            }
        }
        long duplicated = 0;
        for (var e : perDelivery.entrySet()) {
            if (e.getValue() > 1) {
                duplicated += e.getValue() - 1;
                note(problems, "delivery " + e.getKey() + " has " + e.getValue() + " verdicts");
            }
        }
        long redelivered = 0;
        for (int twice : acceptedPerProof.values()) {
            duplicated += twice - 1;
        }
        long lost = 0;
        long published = 0;
        for (var e : publishedByProofId.entrySet()) {
            published += e.getValue();
            int found = perProof.getOrDefault(e.getKey(), 0);
            if (found < e.getValue()) {
                lost += e.getValue() - found;
                note(problems, "proof " + e.getKey() + ": " + e.getValue() + " published, " + found + " verdicts");
            } else if (found > e.getValue()) {
                // Extra rejected verdicts are the transport's second copies (an accepted proof's copy is `replayed`, a
                // rejected one's gets its reason again); a second acceptance is counted above.
                int extra = found - e.getValue();
                int copies = Math.min(extra, rejectedPerProof.getOrDefault(e.getKey(), 0));
                redelivered += copies;
                duplicated += extra - copies;
                if (extra > copies) {
                    note(problems, "proof " + e.getKey() + ": " + e.getValue() + " published, " + found + " verdicts");
                }
            }
        }
        for (String proofId : perProof.keySet()) {
            if (!publishedByProofId.containsKey(proofId)) {
                duplicated += perProof.get(proofId);
                note(problems, "verdict for proof " + proofId + " that the fleet did not publish");
            }
        }

        long unitMismatches = 0;
        long doublePaid = 0;
        long devicesRewarded = 0;
        Map<String, BigInteger> paidPerOwner = new TreeMap<>();
        for (long epoch : epochs) {
            Map<String, DeviceReward> rewarded = new HashMap<>();
            for (DeviceReward r : ledger.deviceRewards(epoch)) {
                devicesRewarded++;
                if (rewarded.put(r.deviceId(), r) != null) {
                    doublePaid++;
                    note(problems, "device " + r.deviceId() + " rewarded twice in epoch " + epoch);
                }
                paidPerOwner.merge(r.owner(), r.amount(), BigInteger::add);
            }
            for (var device : earned.entrySet()) {
                long units = device.getValue().getOrDefault(epoch, 0L);
                DeviceReward r = rewarded.get(device.getKey());
                long rewardedUnits = r == null ? 0 : r.units();
                if (units != rewardedUnits) {
                    unitMismatches++;
                    note(problems, "device " + device.getKey() + " epoch " + epoch + ": accepted proofs earned " + units
                            + " units, rewarded for " + rewardedUnits);
                }
            }
            for (DeviceReward r : rewarded.values()) {
                if (!earned.containsKey(r.deviceId()) && r.units() > 0) {
                    unitMismatches++;
                    note(problems, "device " + r.deviceId() + " rewarded in epoch " + epoch + " without an accepted proof");
                }
            }
        }
        Map<String, BigInteger> cumulative = epochs.isEmpty() ? Map.of() : ledger.balances(epochs.getLast());
        for (var owner : paidPerOwner.entrySet()) {
            BigInteger balance = cumulative.getOrDefault(owner.getKey(), BigInteger.ZERO);
            if (!balance.equals(owner.getValue())) {
                doublePaid++;
                note(problems, "owner " + owner.getKey() + ": cumulative " + balance + ", its devices earned " + owner.getValue());
            }
        }
        // Recipients with a balance but no device reward are the network's cuts (operator, oracles: config/network.json),
        // paid by the closer's pool split, not for devices' work: counted, not judged here.
        long otherRecipients = cumulative.keySet().stream().filter(o -> !paidPerOwner.containsKey(o)).count();
        if (otherRecipients > 0) {
            note(problems, otherRecipients + " recipients without device rewards (the network's cuts), not checked");
        }
        return new Report(published, verdicts.size(), accepted, verdicts.size() - accepted, epochs.size(), devicesRewarded,
                paidPerOwner.size(), lost, duplicated, redelivered, unexplained, unitMismatches, doublePaid, List.copyOf(problems));
    }

    private static void note(List<String> problems, String problem) {
        if (problems.size() < 20) {
            problems.add(problem);
        }
    }
}
