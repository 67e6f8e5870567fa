package dev.flywheel.devnet;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The demo's result as a picture: what happened to every message (accepted, or each rejection
 * reason) and how the settled epoch's emission was split over devices.
 */
final class DemoChart {
    private static final int WIDTH = 1100;
    private static final int HEIGHT = 460;
    private static final Color ACCEPTED = new Color(0x4C, 0x72, 0xB0);
    private static final Color REJECTED = new Color(0xDD, 0x84, 0x52);
    private static final Color REWARD = new Color(0x55, 0xA8, 0x68);

    private DemoChart() {
    }

    /** @param rewardsByDevice the settled epoch's share per device, in the token's smallest unit */
    static Path write(Path file, long accepted, Map<String, Long> rejectedByReason, Map<String, BigInteger> rewardsByDevice,
                      long epoch) throws IOException {
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, WIDTH, HEIGHT);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
        g.drawString("Flywheel devnet run", 20, 30);

        Map<String, Long> verdicts = new LinkedHashMap<>();
        verdicts.put("accepted", accepted);
        verdicts.putAll(rejectedByReason);
        verdictPanel(g, verdicts, 20, 60, 480, 360);
        rewardPanel(g, rewardsByDevice, epoch, 540, 60, 540, 360);
        g.dispose();
        Files.createDirectories(file.toAbsolutePath().getParent());
        ImageIO.write(image, "png", file.toFile());
        return file;
    }

    private static void verdictPanel(Graphics2D g, Map<String, Long> verdicts, int x, int y, int w, int h) {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        g.setColor(Color.DARK_GRAY);
        g.drawString("Every message, exactly one verdict", x, y);
        long max = Math.max(1, verdicts.values().stream().mapToLong(Long::longValue).max().orElse(1));
        int row = Math.min(48, (h - 20) / Math.max(1, verdicts.size()));
        int labelWidth = 170;
        int i = 0;
        for (Map.Entry<String, Long> e : verdicts.entrySet()) {
            int top = y + 20 + i++ * row;
            int len = (int) ((w - labelWidth - 60) * e.getValue() / max);
            g.setColor(e.getKey().equals("accepted") ? ACCEPTED : REJECTED);
            g.fillRect(x + labelWidth, top, Math.max(1, len), row - 12);
            g.setColor(Color.BLACK);
            g.drawString(e.getKey(), x, top + row / 2);
            g.drawString(Long.toString(e.getValue()), x + labelWidth + len + 6, top + row / 2);
        }
    }

    private static void rewardPanel(Graphics2D g, Map<String, BigInteger> rewards, long epoch, int x, int y, int w, int h) {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        g.setColor(Color.DARK_GRAY);
        g.drawString("Epoch " + epoch + ": emission split over " + rewards.size() + " devices (FLY)", x, y);
        if (rewards.isEmpty()) {
            return;
        }
        BigInteger max = rewards.values().stream().max(BigInteger::compareTo).orElse(BigInteger.ONE).max(BigInteger.ONE);
        int bottom = y + h - 20;
        int barWidth = Math.max(2, (w - 40) / rewards.size() - 2);
        int i = 0;
        for (BigInteger amount : rewards.values()) {
            int len = amount.multiply(BigInteger.valueOf(h - 60)).divide(max).intValue();
            g.setColor(REWARD);
            g.fillRect(x + 20 + i++ * (barWidth + 2), bottom - len, barWidth, len);
        }
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(1));
        g.drawLine(x + 18, bottom, x + w - 10, bottom);
        double maxFly = max.doubleValue() / 1e18;
        g.drawString("%.2f".formatted(maxFly), x + 20, y + 36);
        g.drawString("devices, by id", x + 20, bottom + 16);
    }
}
