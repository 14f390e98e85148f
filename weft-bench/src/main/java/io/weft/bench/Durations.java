package io.weft.bench;

/** Durations as the reports print them. */
public final class Durations {
    private Durations() {
    }

    /** {@code 75} → "1 min 15 s", {@code 42} → "42 s". */
    public static String describe(double seconds) {
        long s = Math.round(seconds);
        return s >= 60 ? (s / 60) + " min " + (s % 60) + " s" : s + " s";
    }
}
