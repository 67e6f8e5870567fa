package dev.flywheel.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads JMH's JSON result ({@code -rf json}) and prints raw verify vs pipeline per scheme, their
 * ratio, and the Ed25519 verdict against the target; optionally draws the same as a PNG bar chart.
 *
 * <pre>java -cp benchmarks.jar dev.flywheel.benchmarks.BenchReport jmh.json [chart.png]</pre>
 *
 * A report, not a gate: it exits 0 whatever the ratio (non-zero only for unreadable input).
 */
public final class BenchReport {

    /** Pipeline throughput must be at least this fraction of raw Ed25519 verification. */
    static final double TARGET = 0.8;
    static final String VERIFY = "VerificationBenchmark";
    static final String STAGES = "PipelineStagesBenchmark";

    /** JMH's score (mean of iterations), its 99.9% CI half-width, and the median iteration. */
    record Score(double value, double error, String unit, double median) {
        Score(double value, double error, String unit) {
            this(value, error, unit, value);
        }
    }

    record Row(String scheme, Score raw, Score pipeline) {
        double ratio() {
            return pipeline.value / raw.value;
        }

        /** Less sensitive to an iteration slowed by other load on the machine. */
        double medianRatio() {
            return pipeline.median / raw.median;
        }
    }

    private BenchReport() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: BenchReport <jmh.json> [chart.png]");
            System.exit(2);
        }
        JsonNode results = new ObjectMapper().readTree(new File(args[0]));
        Map<String, Score[]> byScheme = new LinkedHashMap<>();
        Map<String, Score> stages = new LinkedHashMap<>();
        for (JsonNode r : results) {
            String bench = r.path("benchmark").asText();
            String cls = simpleClass(bench);
            String method = bench.substring(bench.lastIndexOf('.') + 1);
            JsonNode m = r.path("primaryMetric");
            Score score = new Score(m.path("score").asDouble(), finiteOr0(m.path("scoreError").asDouble(Double.NaN)),
                    m.path("scoreUnit").asText(), median(m.path("rawData"), m.path("score").asDouble()));
            if (cls.equals(VERIFY)) {
                // <scheme>RawVerify / <scheme>Pipeline, e.g. ed25519RawVerify.
                boolean raw = method.endsWith("RawVerify");
                String prefix = method.replaceFirst("(RawVerify|Pipeline)$", "");
                if (prefix.equals(method)) {
                    continue;
                }
                String scheme = switch (prefix) {
                    case "ed25519" -> "ED25519";
                    case "p256" -> "P256_SHA256";
                    case "secp256k1" -> "SECP256K1_KECCAK256";
                    default -> prefix;
                };
                Score[] pair = byScheme.computeIfAbsent(scheme, s -> new Score[2]);
                pair[raw ? 0 : 1] = score;
            } else if (cls.equals(STAGES)) {
                stages.put(method, score);
            }
        }
        List<Row> rows = new ArrayList<>();
        byScheme.forEach((scheme, pair) -> {
            if (pair[0] != null && pair[1] != null) {
                rows.add(new Row(scheme, pair[0], pair[1]));
            }
        });

        printTable(rows);
        printStages(stages, rows);
        if (args.length > 1 && !rows.isEmpty()) {
            System.setProperty("java.awt.headless", "true");
            try {
                drawChart(rows, new File(args[1]));
                System.out.println();
                System.out.println("chart: " + args[1]);
            } catch (Exception | Error e) { // no fonts / no AWT: the table is what matters
                System.err.println("chart skipped: " + e);
            }
        }
    }

    static void printTable(List<Row> rows) {
        if (rows.isEmpty()) {
            System.out.println("no VerificationBenchmark rawVerify/pipeline pairs in the results");
            return;
        }
        System.out.println("Verification pipeline vs raw signature verify (1 thread; ops/s = JMH score +- 99.9% CI;");
        System.out.println("ratio = pipeline/raw of the scores, median ratio = of the median iterations)");
        System.out.println();
        String fmt = "%-20s %20s %20s %7s %13s %15s  %s%n";
        System.out.printf(Locale.ROOT, fmt, "scheme", "raw verify ops/s", "pipeline ops/s", "ratio",
                "median ratio", "overhead us/op", "target");
        System.out.printf(Locale.ROOT, fmt, "-".repeat(20), "-".repeat(20), "-".repeat(20), "-".repeat(7),
                "-".repeat(13), "-".repeat(15), "-".repeat(14));
        for (Row row : rows) {
            String target = row.scheme().equals("ED25519")
                    ? String.format(Locale.ROOT, ">= %.2f %s", TARGET, row.ratio() >= TARGET ? "PASS" : "FAIL")
                    : "(info)";
            double overheadUs = 1e6 / row.pipeline().value() - 1e6 / row.raw().value();
            System.out.printf(Locale.ROOT, fmt, row.scheme(), withError(row.raw()), withError(row.pipeline()),
                    String.format(Locale.ROOT, "%.3f", row.ratio()),
                    String.format(Locale.ROOT, "%.3f", row.medianRatio()),
                    String.format(Locale.ROOT, "%.2f", overheadUs), target);
        }
        rows.stream().filter(r -> r.scheme().equals("ED25519")).findFirst().ifPresent(r -> {
            System.out.println();
            System.out.printf(Locale.ROOT, "Ed25519: pipeline %.0f ops/s / raw verify %.0f ops/s = %.3f (target >= %.2f): %s%n",
                    r.pipeline().value(), r.raw().value(), r.ratio(), TARGET, r.ratio() >= TARGET ? "PASS" : "FAIL");
        });
    }

    static void printStages(Map<String, Score> stages, List<Row> rows) {
        if (stages.isEmpty()) {
            return;
        }
        Row ed = rows.stream().filter(r -> r.scheme().equals("ED25519")).findFirst().orElse(null);
        double pipelineUs = ed == null ? Double.NaN : 1e6 / ed.pipeline().value();
        System.out.println();
        System.out.println("Pipeline stages (Ed25519 fixture, average time per proof)");
        System.out.println();
        String fmt = "%-14s %18s %18s%n";
        System.out.printf(Locale.ROOT, fmt, "stage", "us/op", "share of pipeline");
        System.out.printf(Locale.ROOT, fmt, "-".repeat(14), "-".repeat(18), "-".repeat(18));
        if (ed != null) {
            System.out.printf(Locale.ROOT, fmt, "sig verify", String.format(Locale.ROOT, "%.2f", 1e6 / ed.raw().value()),
                    String.format(Locale.ROOT, "%.1f%%", 100 * (1e6 / ed.raw().value()) / pipelineUs));
        }
        stages.forEach((name, s) -> {
            double us = toMicros(s);
            System.out.printf(Locale.ROOT, fmt, name, String.format(Locale.ROOT, "%.2f +- %.2f", us, toMicros(
                                    new Score(s.error(), 0, s.unit()))),
                    Double.isNaN(pipelineUs) ? "" : String.format(Locale.ROOT, "%.1f%%", 100 * us / pipelineUs));
        });
        if (ed != null) {
            System.out.printf(Locale.ROOT, fmt, "pipeline", String.format(Locale.ROOT, "%.2f", pipelineUs), "100%");
        }
        System.out.println("(decode = parse + schema + canonicalize + proofId + base64url; pipeline = decode + checks + sig verify)");
    }

    static double toMicros(Score s) {
        return switch (s.unit()) {
            case "us/op" -> s.value();
            case "ns/op" -> s.value() / 1e3;
            case "ms/op" -> s.value() * 1e3;
            case "s/op" -> s.value() * 1e6;
            case "ops/s" -> 1e6 / s.value();
            default -> Double.NaN;
        };
    }

    static String withError(Score s) {
        return String.format(Locale.ROOT, "%.0f +- %.0f", s.value(), s.error());
    }

    static double median(JsonNode rawData, double fallback) {
        List<Double> all = new ArrayList<>();
        for (JsonNode fork : rawData) {
            for (JsonNode it : fork) {
                all.add(it.asDouble());
            }
        }
        if (all.isEmpty()) {
            return fallback;
        }
        all.sort(Double::compare);
        int n = all.size();
        return n % 2 == 1 ? all.get(n / 2) : (all.get(n / 2 - 1) + all.get(n / 2)) / 2;
    }

    static double finiteOr0(double d) {
        return Double.isFinite(d) ? d : 0;
    }

    static String simpleClass(String benchmark) {
        int last = benchmark.lastIndexOf('.');
        String cls = last < 0 ? benchmark : benchmark.substring(0, last);
        return cls.substring(cls.lastIndexOf('.') + 1);
    }

    /** Grouped bars per scheme (raw verify, pipeline), ratio on top, the 0.8x target marked for Ed25519. */
    static void drawChart(List<Row> rows, File out) throws IOException {
        int w = 860;
        int h = 480;
        int left = 90;
        int right = 30;
        int top = 70;
        int bottom = 70;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);

        Color rawColor = new Color(0x4C72B0);
        Color pipeColor = new Color(0xDD8452);
        Font title = new Font(Font.SANS_SERIF, Font.BOLD, 16);
        Font label = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
        g.setColor(Color.BLACK);
        g.setFont(title);
        g.drawString("Flywheel verification: pipeline vs raw signature verify (1 thread)", left, 28);
        g.setFont(label);
        g.drawString("ops/s, higher is better; ratio = pipeline / raw; dashed = 0.8x raw Ed25519 target", left, 48);

        double max = 0;
        for (Row r : rows) {
            max = Math.max(max, Math.max(r.raw().value() + r.raw().error(), r.pipeline().value() + r.pipeline().error()));
        }
        max = niceCeiling(max * 1.1);
        int plotH = h - top - bottom;
        int plotW = w - left - right;

        // Axis and grid.
        g.setFont(label);
        FontMetrics fm = g.getFontMetrics();
        for (int i = 0; i <= 5; i++) {
            double v = max * i / 5;
            int y = top + plotH - (int) Math.round(plotH * v / max);
            g.setColor(new Color(0xE5E5E5));
            g.drawLine(left, y, w - right, y);
            g.setColor(Color.DARK_GRAY);
            String t = String.format(Locale.ROOT, "%,.0f", v);
            g.drawString(t, left - 8 - fm.stringWidth(t), y + fm.getAscent() / 2 - 1);
        }
        g.setColor(Color.BLACK);
        g.drawLine(left, top, left, top + plotH);
        g.drawLine(left, top + plotH, w - right, top + plotH);

        int group = plotW / rows.size();
        int bar = Math.min(90, group / 3);
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            int gx = left + i * group + (group - 2 * bar - 10) / 2;
            int rawX = gx;
            int pipeX = gx + bar + 10;
            drawBar(g, rawX, bar, r.raw(), max, top, plotH, rawColor);
            drawBar(g, pipeX, bar, r.pipeline(), max, top, plotH, pipeColor);
            if (r.scheme().equals("ED25519")) {
                int ty = top + plotH - (int) Math.round(plotH * TARGET * r.raw().value() / max);
                g.setColor(new Color(0xC44E52));
                g.setStroke(new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
                g.drawLine(rawX - 6, ty, pipeX + bar + 6, ty);
                g.setStroke(new BasicStroke(1f));
                g.drawString("0.8x", pipeX + bar + 8, ty + 4);
            }
            String ratio = String.format(Locale.ROOT, "%.2fx", r.ratio());
            int py = top + plotH - (int) Math.round(plotH * r.pipeline().value() / max);
            g.setColor(Color.BLACK);
            g.setFont(label.deriveFont(Font.BOLD));
            FontMetrics bfm = g.getFontMetrics();
            g.drawString(ratio, pipeX + (bar - bfm.stringWidth(ratio)) / 2, py - 8);
            g.setFont(label);
            String name = pretty(r.scheme());
            g.drawString(name, gx + (2 * bar + 10 - fm.stringWidth(name)) / 2, top + plotH + 20);
        }

        // Legend.
        int ly = h - 22;
        g.setColor(rawColor);
        g.fillRect(left, ly - 10, 12, 12);
        g.setColor(Color.BLACK);
        g.drawString("raw verify (signature only)", left + 18, ly);
        g.setColor(pipeColor);
        g.fillRect(left + 230, ly - 10, 12, 12);
        g.setColor(Color.BLACK);
        g.drawString("pipeline (parse, canonicalize, checks, verify)", left + 248, ly);
        g.dispose();
        File dir = out.getAbsoluteFile().getParentFile();
        if (dir != null) {
            dir.mkdirs();
        }
        ImageIO.write(img, "png", out);
    }

    private static void drawBar(Graphics2D g, int x, int width, Score s, double max, int top, int plotH, Color c) {
        int barH = (int) Math.round(plotH * s.value() / max);
        int y = top + plotH - barH;
        g.setColor(c);
        g.fillRect(x, y, width, barH);
        // Error whisker.
        int e = (int) Math.round(plotH * s.error() / max);
        if (e > 0) {
            g.setColor(Color.DARK_GRAY);
            int cx = x + width / 2;
            g.drawLine(cx, y - e, cx, y + e);
            g.drawLine(cx - 4, y - e, cx + 4, y - e);
            g.drawLine(cx - 4, y + e, cx + 4, y + e);
        }
        g.setColor(Color.WHITE);
        String v = String.format(Locale.ROOT, "%,.0f", s.value());
        FontMetrics fm = g.getFontMetrics();
        if (barH > 24 && fm.stringWidth(v) < width - 4) {
            g.drawString(v, x + (width - fm.stringWidth(v)) / 2, top + plotH - 8);
        }
    }

    private static String pretty(String scheme) {
        return switch (scheme) {
            case "ED25519" -> "Ed25519";
            case "P256_SHA256" -> "P-256 / SHA-256";
            case "SECP256K1_KECCAK256" -> "secp256k1 / keccak256";
            default -> scheme;
        };
    }

    private static double niceCeiling(double v) {
        if (v <= 0) {
            return 1;
        }
        double mag = Math.pow(10, Math.floor(Math.log10(v)));
        for (double step : new double[] {1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10}) {
            if (step * mag >= v) {
                return step * mag;
            }
        }
        return 10 * mag;
    }
}
