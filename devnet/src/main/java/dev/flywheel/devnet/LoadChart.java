package dev.flywheel.devnet;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/** The load run over time (Java2D): published and verdicts per second above, publish-to-verdict latency below. */
final class LoadChart {
    private static final int WIDTH = 1200;
    private static final int HEIGHT = 720;
    private static final Color PUBLISHED = new Color(0x99, 0x99, 0x99);
    private static final Color VERDICTS = new Color(0x4C, 0x72, 0xB0);
    private static final Color P50 = new Color(0x55, 0xA8, 0x68);
    private static final Color P95 = new Color(0xDD, 0x84, 0x52);
    private static final Color P99 = new Color(0xC4, 0x4E, 0x52);

    private LoadChart() {
    }

    static Path write(Path file, LoadRun.Timeline t, Map<String, Object> summary) throws IOException {
        int from = t.slot(t.firstPublish == Long.MAX_VALUE ? t.t0 : t.firstPublish);
        int to = Math.max(from + 1, t.slot(Math.max(t.lastReceipt, t.lastPublish)));
        int n = to - from + 1;
        double[] published = new double[n];
        double[] verdicts = new double[n];
        double[][] latency = new double[3][n];
        // Latency percentiles over 5-slot windows: one second holds too few samples at the tail.
        for (int i = 0; i < n; i++) {
            published[i] = t.publishedPerSlot.get(from + i) / (double) LoadRun.SLOT_SECONDS;
            verdicts[i] = t.verdictsPerSlot.get(from + i) / (double) LoadRun.SLOT_SECONDS;
            List<Long> window = new ArrayList<>();
            for (int k = Math.max(from, from + i - 2); k <= Math.min(to, from + i + 2); k++) {
                window.addAll(t.latencyPerSlot.getOrDefault(k, List.of()));
            }
            Collections.sort(window);
            latency[0][i] = LoadRun.percentile(window, 50) / 1e6;
            latency[1][i] = LoadRun.percentile(window, 95) / 1e6;
            latency[2][i] = LoadRun.percentile(window, 99) / 1e6;
        }

        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, WIDTH, HEIGHT);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
        g.drawString("Flywheel load run: %s devices (%s), %s proofs/s sustained, store ceiling ratio %s".formatted(
                summary.get("devices"), summary.get("ingest"), summary.get("sustainedProofsPerSecond"),
                summary.get("ratioToStoreCeiling")), 20, 30);
        panel(g, "proofs per second (grey: published, blue: verdicts heard)", 70, 60, WIDTH - 100, 280,
                new double[][]{published, verdicts}, new Color[]{PUBLISHED, VERDICTS}, "/s");
        panel(g, "publish -> verdict latency, seconds (green p50, orange p95, red p99)", 70, 400, WIDTH - 100, 280,
                latency, new Color[]{P50, P95, P99}, "s");
        g.setColor(Color.DARK_GRAY);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawString("seconds since the fleet started publishing (0.." + (n * LoadRun.SLOT_SECONDS) + ")", 70, HEIGHT - 12);
        g.dispose();
        Files.createDirectories(file.toAbsolutePath().getParent());
        ImageIO.write(image, "png", file.toFile());
        return file;
    }

    private static void panel(Graphics2D g, String title, int x, int y, int w, int h, double[][] series, Color[] colors,
                              String unit) {
        double max = 1e-9;
        for (double[] s : series) {
            for (double v : s) {
                max = Math.max(max, v);
            }
        }
        max *= 1.1;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        g.setColor(Color.DARK_GRAY);
        g.drawString(title, x, y - 8);
        g.setColor(new Color(0xEE, 0xEE, 0xEE));
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (int i = 0; i <= 4; i++) {
            int gy = y + h - i * h / 4;
            g.setColor(new Color(0xEE, 0xEE, 0xEE));
            g.drawLine(x, gy, x + w, gy);
            g.setColor(Color.GRAY);
            g.drawString("%.1f%s".formatted(max * i / 4, unit), x - 60, gy + 4);
        }
        g.setColor(Color.GRAY);
        g.drawRect(x, y, w, h);
        g.setStroke(new BasicStroke(1.6f));
        for (int s = 0; s < series.length; s++) {
            double[] v = series[s];
            g.setColor(colors[s]);
            for (int i = 1; i < v.length; i++) {
                int x1 = x + (int) ((i - 1) * (double) w / Math.max(1, v.length - 1));
                int x2 = x + (int) (i * (double) w / Math.max(1, v.length - 1));
                g.drawLine(x1, y + h - (int) (v[i - 1] / max * h), x2, y + h - (int) (v[i] / max * h));
            }
        }
        g.setStroke(new BasicStroke(1f));
    }
}
