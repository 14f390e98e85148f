package io.weft.bench;

import java.util.Arrays;

/** The statistics the harness reports over repeated runs. */
public final class Stats {
    private Stats() {
    }

    /**
     * The median of {@code xs}: the middle value, or the mean of the two middle values for
     * an even count. NaN entries (a run that measured nothing) are left out; NaN if none remain.
     */
    public static double median(double... xs) {
        double[] v = Arrays.stream(xs).filter(x -> !Double.isNaN(x)).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        int mid = v.length / 2;
        return v.length % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
    }
}
