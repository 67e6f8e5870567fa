package dev.flywheel.benchmarks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Cost per million proofs at list prices (us-east-1), from its inputs, for docs/cost.md: the naive design (the IoT rule
 * invokes the verifier once per MQTT message), the design on main before the per-device ledger, and the new one, plus
 * the new one with a Kinesis stream instead of SQS (template parameter {@code ProofIngest=kinesis}). Every input has a default (the figures measured on the devnet, see
 * docs/cost.md) and can be overridden: {@code java -cp benchmarks.jar dev.flywheel.benchmarks.CostModel key=value ...}
 * ({@code keys} lists them). Prints a Markdown table.
 */
public final class CostModel {

    /** Inputs, with their defaults. */
    static Map<String, Double> defaults() {
        Map<String, Double> in = new LinkedHashMap<>();
        // Prices (USD), us-east-1 list prices.
        in.put("price.iotMessagePerMillion", 1.00);          // per 5 KB message unit
        in.put("price.ruleTriggeredPerMillion", 0.15);
        in.put("price.ruleActionPerMillion", 0.15);
        in.put("price.sqsRequestPerMillion", 0.40);
        in.put("price.lambdaRequestPerMillion", 0.20);
        in.put("price.lambdaGbSecond", 0.0000133334);         // arm64 (template.yaml Architectures); x86 is 0.0000166667
        in.put("price.dynamoWritePerMillion", 0.625);
        in.put("price.dynamoReadPerMillion", 0.125);
        in.put("price.s3PutPerThousand", 0.005);
        in.put("price.s3GbMonth", 0.023);
        in.put("price.kinesisShardHour", 0.015);
        in.put("price.kinesisPutUnitPerMillion", 0.014);      // per 25 KB payload unit
        // Workload.
        in.put("proofBytes", 600.0);                          // a sensor proof as JSON, signed
        in.put("proofsPerDevicePerDay", 96.0);                // one every 15 minutes
        in.put("epochSeconds", 86_400.0);                     // template.yaml default
        in.put("rejectedFraction", 0.01);
        in.put("proofsPerSecondPeak", 1_000.0);               // sizes the Kinesis shards (1,000 records/s each; the verifier keeps up through ParallelizationFactor)
        in.put("proofsPerDay", 10_000_000.0);
        // Lambda.
        in.put("batchSize", 100.0);
        in.put("lambdaMemoryGb", 1.0);                        // template.yaml ProofVerifierFunction MemorySize 1024
        in.put("batchMillis", 640.6);                         // measured: LedgerCostIT direct 1,000 x 10, 100 proofs a batch, moto
        in.put("naiveInvokeMillis", 20.0);                    // one proof per invocation (assumed: a batch's time / 100 + overhead)
        // DynamoDB units per proof, measured by DynamoCapacityMeter (LedgerCostIT).
        in.put("main.writeUnitsPerAccepted", 12.0);
        in.put("main.readUnitsPerAccepted", 1.6);
        in.put("main.writeUnitsPerRejected", 3.0);
        in.put("main.readUnitsPerRejected", 1.0);
        in.put("main.lambdaMemoryGb", 2.0);                   // main before: MemorySize 2048 on x86
        in.put("main.lambdaGbSecond", 0.0000166667);
        in.put("main.batchMillis", 1152.0);                   // measured on the ledger before the per-device state (2 GB)
        in.put("new.writeUnitsPerAccepted", 1.0);             // steady state: one state write of <= 1 KB
        in.put("new.firstProofWriteUnits", 1.0);              // a device's first proof: a conditional put (no transaction)
        in.put("new.firstProofReadUnits", 1.0);               // ... and a consistent read of the epoch's status
        in.put("new.readUnitsPerAccepted", 0.67);             // measured (1,000 x 10 direct; includes the batch reads of state and directory)
        in.put("new.writeUnitsPerRejected", 2.0);
        in.put("new.readUnitsPerRejected", 1.333);
        in.put("new.fenceWriteUnitsPerDevicePerEpoch", 1.0);  // the closer's harvest write
        in.put("deviceLifetimeProofs", 35_000.0);             // one year at 96 a day: amortizes the first proof's extra read
        // Receipts: 0 none, 1 rejections only, 2 all. Each receipt: one data-plane publish plus its delivery (2 messages).
        in.put("new.receipts", 1.0);
        in.put("main.receipts", 2.0);
        in.put("verdictBytes", 260.0);                        // measured: a paper-trail line gzipped (S3VerdictArchiveTest: 816 raw)
        return in;
    }

    /** One line of the table: what it costs per million proofs in each design. */
    record Line(String item, double naive, double main, double newSqs, double newKinesis) {
    }

    static List<Line> lines(Map<String, Double> in) {
        double m = 1_000_000;
        double iotUnits = Math.ceil(in.get("proofBytes") / 5_120);
        double iotMessage = in.get("price.iotMessagePerMillion") * iotUnits;
        double rules = in.get("price.ruleTriggeredPerMillion") + in.get("price.ruleActionPerMillion");
        // SQS: the rule's SendMessage per proof, the event source's ReceiveMessage and DeleteMessageBatch per 10.
        double sqs = in.get("price.sqsRequestPerMillion") * (1 + 2.0 / 10);
        double lambdaRequestsBatched = in.get("price.lambdaRequestPerMillion") / in.get("batchSize");
        double lambdaDurationBatched = in.get("batchMillis") / 1000 * in.get("lambdaMemoryGb") * in.get("price.lambdaGbSecond")
                * m / in.get("batchSize");
        double mainLambdaDuration = in.get("main.batchMillis") / 1000 * in.get("main.lambdaMemoryGb") * in.get("main.lambdaGbSecond")
                * m / in.get("batchSize");
        double naiveLambda = in.get("price.lambdaRequestPerMillion")
                + in.get("naiveInvokeMillis") / 1000 * in.get("main.lambdaMemoryGb") * in.get("main.lambdaGbSecond") * m;
        double rejected = in.get("rejectedFraction");
        double accepted = 1 - rejected;
        double w = in.get("price.dynamoWritePerMillion");
        double r = in.get("price.dynamoReadPerMillion");
        double mainDynamo = accepted * (in.get("main.writeUnitsPerAccepted") * w + in.get("main.readUnitsPerAccepted") * r)
                + rejected * (in.get("main.writeUnitsPerRejected") * w + in.get("main.readUnitsPerRejected") * r);
        double proofsPerEpoch = in.get("proofsPerDevicePerDay") * in.get("epochSeconds") / 86_400;
        double newWrites = in.get("new.writeUnitsPerAccepted")
                + (in.get("new.firstProofWriteUnits") - in.get("new.writeUnitsPerAccepted")) / in.get("deviceLifetimeProofs")
                + in.get("new.fenceWriteUnitsPerDevicePerEpoch") / proofsPerEpoch;
        double newReads = in.get("new.readUnitsPerAccepted") + in.get("new.firstProofReadUnits") / in.get("deviceLifetimeProofs");
        double newDynamo = accepted * (newWrites * w + newReads * r)
                + rejected * (in.get("new.writeUnitsPerRejected") * w + in.get("new.readUnitsPerRejected") * r);
        double receiptMessage = 2 * in.get("price.iotMessagePerMillion");
        double mainReceipts = receipts(in.get("main.receipts"), rejected) * receiptMessage;
        double newReceipts = receipts(in.get("new.receipts"), rejected) * receiptMessage;
        double s3 = in.get("price.s3PutPerThousand") * 1000 / in.get("batchSize")
                + in.get("verdictBytes") * m / 1e9 * in.get("price.s3GbMonth");
        // Kinesis: shards for the peak, every hour of the day, spread over the day's proofs; one 25 KB unit per record.
        double shards = Math.ceil(in.get("proofsPerSecondPeak") / 1_000);
        double kinesis = shards * 24 * in.get("price.kinesisShardHour") / (in.get("proofsPerDay") / m)
                + in.get("price.kinesisPutUnitPerMillion");

        List<Line> lines = new ArrayList<>();
        lines.add(new Line("IoT Core messaging (proof in)", iotMessage, iotMessage, 0, 0));
        lines.add(new Line("IoT rule (triggered + 1 action)", rules, rules, rules, rules));
        lines.add(new Line("SQS (send + receive/delete per 10) / Kinesis", 0, sqs, sqs, kinesis));
        lines.add(new Line("Lambda requests", in.get("price.lambdaRequestPerMillion"), lambdaRequestsBatched,
                lambdaRequestsBatched, lambdaRequestsBatched));
        lines.add(new Line("Lambda duration", naiveLambda - in.get("price.lambdaRequestPerMillion"), mainLambdaDuration,
                lambdaDurationBatched, lambdaDurationBatched));
        lines.add(new Line("DynamoDB", mainDynamo, mainDynamo, newDynamo, newDynamo));
        lines.add(new Line("Receipts (IoT publish + delivery)", mainReceipts, mainReceipts, newReceipts, newReceipts));
        lines.add(new Line("Paper trail (S3 PUT per batch + 1 month storage)", 0, 0, s3, s3));
        return lines;
    }

    private static double receipts(double mode, double rejected) {
        return mode >= 2 ? 1 : mode >= 1 ? rejected : 0;
    }

    static String table(Map<String, Double> in) {
        List<Line> lines = lines(in);
        StringBuilder out = new StringBuilder();
        out.append("| USD per million proofs | naive (invoke per message) | main before | new (SQS) | new (Kinesis) |\n");
        out.append("| --- | ---: | ---: | ---: | ---: |\n");
        double[] totals = new double[4];
        for (Line l : lines) {
            out.append(String.format(Locale.ROOT, "| %s | %.3f | %.3f | %.3f | %.3f |%n", l.item(), l.naive(), l.main(), l.newSqs(),
                    l.newKinesis()));
            totals[0] += l.naive();
            totals[1] += l.main();
            totals[2] += l.newSqs();
            totals[3] += l.newKinesis();
        }
        out.append(String.format(Locale.ROOT, "| **total** | **%.2f** | **%.2f** | **%.2f** | **%.2f** |%n",
                totals[0], totals[1], totals[2], totals[3]));
        return out.toString();
    }

    public static void main(String[] args) {
        Map<String, Double> in = defaults();
        for (String arg : args) {
            if (arg.equals("keys")) {
                in.forEach((k, v) -> System.out.println(k + "=" + v));
                return;
            }
            int eq = arg.indexOf('=');
            if (eq < 0 || !in.containsKey(arg.substring(0, eq))) {
                System.err.println("unknown input " + arg + " (run with 'keys' to list them)");
                System.exit(2);
            }
            in.put(arg.substring(0, eq), Double.parseDouble(arg.substring(eq + 1)));
        }
        System.out.print(table(in));
    }
}
