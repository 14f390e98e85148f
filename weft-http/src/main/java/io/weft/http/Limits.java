package io.weft.http;

import java.time.Duration;

/**
 * What a server accepts from a client and how long it waits, fixed when the server is
 * built ({@link HttpServer.Builder} documents each value and its default).
 */
record Limits(int maxRequestLineLength, int maxHeaderSize, int maxHeaderCount, long maxBodySize,
              Duration idleTimeout, Duration readTimeout, Duration writeTimeout, long maxDrainSize,
              Duration bodyTimeout, DataRate minRequestBodyRate, DataRate minResponseRate) {

    /** Kestrel's defaults for both minimum rates: slow enough for any real client, fast enough to end a trickle. */
    static final DataRate DEFAULT_MIN_RATE = new DataRate(240, Duration.ofSeconds(5));

    static final Limits DEFAULT = new Limits(8 * 1024, 16 * 1024, 100, 10L * 1024 * 1024,
            Duration.ofSeconds(60), Duration.ofSeconds(20), Duration.ofSeconds(30), 256 * 1024,
            Duration.ofMinutes(5), DEFAULT_MIN_RATE, DEFAULT_MIN_RATE);

    /** The limits of the first eight components with no body deadline and no minimum rates (for parser tests). */
    Limits(int maxRequestLineLength, int maxHeaderSize, int maxHeaderCount, long maxBodySize,
           Duration idleTimeout, Duration readTimeout, Duration writeTimeout, long maxDrainSize) {
        this(maxRequestLineLength, maxHeaderSize, maxHeaderCount, maxBodySize, idleTimeout, readTimeout, writeTimeout,
                maxDrainSize, null, DataRate.NONE, DataRate.NONE);
    }

    Limits {
        if (maxRequestLineLength < 16 || maxHeaderSize < 16 || maxHeaderCount < 1 || maxBodySize < 0 || maxDrainSize < 0) {
            throw new IllegalArgumentException("limits too small: " + maxRequestLineLength + ", " + maxHeaderSize + ", "
                    + maxHeaderCount + ", " + maxBodySize);
        }
        java.util.Objects.requireNonNull(minRequestBodyRate, "minRequestBodyRate");
        java.util.Objects.requireNonNull(minResponseRate, "minResponseRate");
    }

    /** The most bytes a request head may take in the read buffer: request line, fields, line ends, slack for leading blank lines. */
    int maxHeadBytes() {
        return maxRequestLineLength + maxHeaderSize + 64;
    }

    static long nanos(Duration d) {
        return d == null || d.isZero() || d.isNegative() ? 0 : d.toNanos();
    }
}
