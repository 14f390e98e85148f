package io.weft.http;

import java.time.Duration;

/**
 * What a server accepts from a client and how long it waits, fixed when the server is
 * built ({@link HttpServer.Builder} documents each value and its default).
 */
record Limits(int maxRequestLineLength, int maxHeaderSize, int maxHeaderCount, long maxBodySize,
              Duration idleTimeout, Duration readTimeout, Duration writeTimeout, long maxDrainSize) {

    static final Limits DEFAULT = new Limits(8 * 1024, 16 * 1024, 100, 10L * 1024 * 1024,
            Duration.ofSeconds(60), Duration.ofSeconds(20), Duration.ofSeconds(30), 256 * 1024);

    Limits {
        if (maxRequestLineLength < 16 || maxHeaderSize < 16 || maxHeaderCount < 1 || maxBodySize < 0 || maxDrainSize < 0) {
            throw new IllegalArgumentException("limits too small: " + maxRequestLineLength + ", " + maxHeaderSize + ", "
                    + maxHeaderCount + ", " + maxBodySize);
        }
    }

    /** The most bytes a request head may take in the read buffer: request line, fields, line ends, slack for leading blank lines. */
    int maxHeadBytes() {
        return maxRequestLineLength + maxHeaderSize + 64;
    }

    static long nanos(Duration d) {
        return d == null || d.isZero() || d.isNegative() ? 0 : d.toNanos();
    }
}
