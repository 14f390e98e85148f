package io.weft.bench;

import java.util.List;
import java.util.Locale;

/**
 * Horizontal bar charts as one SVG file: a panel per measure (ops/s, CPU µs per op, ...),
 * a bar per contender, the value written at the end of each bar. A contender without a
 * value (skipped, failed) gets its note in place of a bar. Weft's bars are drawn in the
 * accent colour. Any browser or image viewer shows the file; nothing to install.
 */
public final class SvgBarChart {
    private SvgBarChart() {
    }

    /** One bar; {@code value} null means "no bar, show {@code note}". */
    public record Bar(String label, Double value, String note) {
    }

    /** One chart: its title, the unit of its values, and whether lower is better. */
    public record Panel(String title, String unit, boolean lowerIsBetter, List<Bar> bars) {
    }

    private static final int WIDTH = 900;
    private static final int LABEL_W = 190;
    private static final int BAR_AREA = 450;
    private static final int BAR_H = 18;
    private static final int GAP = 6;
    private static final int PANEL_HEAD = 34;
    private static final int PANEL_FOOT = 18;

    /** The chart; {@code subtitle}'s lines (split at newlines) go under the title. */
    public static String render(String title, String subtitle, List<Panel> panels) {
        String[] sub = subtitle.split("\n");
        int top = 40 + 16 * sub.length;
        int height = top;
        for (Panel p : panels) {
            height += PANEL_HEAD + p.bars.size() * (BAR_H + GAP) + PANEL_FOOT;
        }
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                        + "font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"12\">\n",
                WIDTH, height, WIDTH, height));
        s.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", WIDTH, height));
        text(s, 12, 22, "font-size=\"16\" font-weight=\"bold\"", title);
        for (int i = 0; i < sub.length; i++) {
            text(s, 12, 40 + 16 * i, "fill=\"#555555\"", sub[i]);
        }
        int y = top;
        for (Panel p : panels) {
            text(s, 12, y + 20, "font-size=\"13\" font-weight=\"bold\"",
                    p.title + " (" + p.unit + ", " + (p.lowerIsBetter ? "lower" : "higher") + " is better)");
            y += PANEL_HEAD;
            double max = p.bars.stream().filter(b -> b.value != null && Double.isFinite(b.value))
                    .mapToDouble(Bar::value).max().orElse(0);
            for (Bar b : p.bars) {
                text(s, LABEL_W - 8, y + BAR_H - 5, "text-anchor=\"end\"", b.label);
                if (b.value == null || !Double.isFinite(b.value)) {
                    text(s, LABEL_W + 4, y + BAR_H - 5, "fill=\"#888888\" font-style=\"italic\"",
                            b.note == null ? "no value" : b.note);
                } else {
                    double w = max > 0 ? Math.max(1, b.value / max * BAR_AREA) : 1;
                    String colour = b.label.startsWith("weft") ? "#d9822b" : "#4a78b5";
                    s.append(String.format(Locale.ROOT,
                            "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>\n",
                            LABEL_W, y, w, BAR_H, colour));
                    String label = format(b.value) + (b.note == null || b.note.isEmpty() ? "" : "  (" + b.note + ")");
                    text(s, (int) (LABEL_W + w + 6), y + BAR_H - 5, "", label);
                }
                y += BAR_H + GAP;
            }
            y += PANEL_FOOT;
        }
        return s.append("</svg>\n").toString();
    }

    /** A value with about four significant digits and thousands separators. */
    public static String format(double v) {
        double a = Math.abs(v);
        if (a >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (a >= 100) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        if (a >= 1) {
            return String.format(Locale.ROOT, "%.2f", v);
        }
        return String.format(Locale.ROOT, "%.3f", v);
    }

    private static void text(StringBuilder s, int x, int y, String attrs, String content) {
        s.append("<text x=\"").append(x).append("\" y=\"").append(y).append('"');
        if (!attrs.isEmpty()) {
            s.append(' ').append(attrs);
        }
        s.append('>').append(escape(content)).append("</text>\n");
    }

    static String escape(String t) {
        return t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
