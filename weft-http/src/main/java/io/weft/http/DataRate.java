package io.weft.http;

import java.time.Duration;

/**
 * A minimum data rate: after {@code grace} of waiting, the peer must have moved at least
 * {@code bytesPerSecond} for every second the server waited on it. Only time spent waiting
 * for the peer counts, so a handler that works between reads or writes is not charged
 * for its own time.
 *
 * @param bytesPerSecond the minimum rate; 0 turns the check off
 * @param grace          waiting allowed before the rate applies
 */
record DataRate(long bytesPerSecond, Duration grace) {

    static final DataRate NONE = new DataRate(0, Duration.ZERO);

    DataRate {
        if (bytesPerSecond < 0 || grace == null || grace.isNegative()) {
            throw new IllegalArgumentException("a data rate needs bytesPerSecond >= 0 and a grace >= 0: "
                    + bytesPerSecond + " B/s, grace " + grace);
        }
    }

    boolean enabled() {
        return bytesPerSecond > 0;
    }

    /**
     * How many more nanoseconds the server may wait on the peer, having waited
     * {@code waitedNanos} for {@code bytes} bytes; at least 1 when {@code bytes} grew since
     * the last wait used up its credit, never negative.
     */
    long creditNanos(long bytes, long waitedNanos) {
        double earned = Limits.nanos(grace) + bytes * 1e9 / bytesPerSecond;
        return (long) Math.clamp(earned - waitedNanos, 0, Long.MAX_VALUE / 4);
    }

    @Override
    public String toString() {
        return bytesPerSecond + " bytes/s (after a grace of " + grace + ")";
    }
}
