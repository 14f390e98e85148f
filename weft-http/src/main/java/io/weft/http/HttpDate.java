package io.weft.http;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The {@code Date: ...\r\n} header line, formatted once per second (RFC 9110 5.6.7,
 * IMF-fixdate) and shared by every connection.
 */
/*
 * Overview
 *
 * A response needs the current second, not the current instant; formatting a date costs
 * more than the rest of a small response head. The cache is one immutable Entry (the
 * epoch second and its encoded line) behind a volatile reference. A writer that sees a
 * stale second formats a new entry and publishes it; two writers racing at a second's
 * turn both publish equal entries, which is harmless, so no CAS or lock is needed.
 *
 * Rejected: a timer task refreshing the line each second (one more task per server that
 * must be stopped, and a line a second old right after an idle period).
 */
final class HttpDate {
    private HttpDate() {
    }

    private static final DateTimeFormatter FORMAT =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ROOT).withZone(ZoneOffset.UTC);

    private record Entry(long second, byte[] line) {
    }

    /**
     * The current line. Volatile: a write publishes a fully built Entry (its final fields and
     * array contents) to the readers of the next read; any thread may read or replace it.
     */
    private static volatile Entry current = make(System.currentTimeMillis() / 1000);

    private static Entry make(long second) {
        return new Entry(second, Ascii.bytes("Date: " + FORMAT.format(Instant.ofEpochSecond(second)) + "\r\n"));
    }

    /** {@code Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n} for the current second; do not modify the array. */
    static byte[] line() {
        long now = System.currentTimeMillis() / 1000;
        Entry e = current;
        if (e.second != now) {
            e = make(now);
            current = e;
        }
        return e.line;
    }
}
